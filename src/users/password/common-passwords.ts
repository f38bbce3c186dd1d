/**
 * The blocklist NIST SP 800-63B 5.1.1.2 asks for ("values known to be commonly used, expected, or
 * compromised"). No breach corpus is available offline where this was built, so the list is curated:
 * the passwords that head every published top-list, Polish favourites, keyboard walks, and the base
 * words people decorate with years, digits and symbols. `expandCommonPasswords()` applies those
 * decorations, giving several thousand entries; `isCommonPassword` also strips decorations from the
 * candidate, so "Zaq12wsx2024!" is caught through its base. Replace or extend with a real breach list
 * (one password per line, lowercase) through STAFF_PASSWORD_BLOCKLIST_FILE.
 */
export const TOP_PASSWORDS = `
123456 password 123456789 12345678 12345 1234567 qwerty 111111 123123 abc123 1234567890 password1 iloveyou
1q2w3e4r 000000 qwerty123 zaq12wsx dragon sunshine princess letmein 654321 monkey 27653 1qaz2wsx 123321
qwertyuiop superman asdfghjkl 1q2w3e4r5t 1q2w3e4r5t6y 123qwe football baseball welcome admin admin123
master hello freedom whatever qazwsx trustno1 starwars passw0rd p@ssw0rd p@ssword password123 password1234
qwerty1234 qwerty12345 qwertyuiop123 asdfghjkl123 zxcvbnm zxcvbnm123 1qaz2wsx3edc qazwsxedc qazwsxedcrfv
1234qwer q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 a1b2c3d4 aa123456 abcd1234 abcdef abcdefgh abcdefghijkl
michael jennifer jordan hunter ranger shadow buster soccer harley batman andrew tigger charlie robert
thomas hockey daniel george computer michelle jessica pepper killer summer ginger ashley nicole chelsea
biteme matthew access yankees dallas austin thunder taylor matrix mobilemail mustang maggie love
cheese internet samsung apple google facebook linkedin twitter microsoft windows secret default changeme
changeit letmein123 welcome1 welcome123 administrator root toor guest test test123 testing testtest
haslo haslo123 haslo1234 haslo12345 maslo kochanie kochamcie kochamciebardzo polska polska123 polska1
zaq1zaq1 zaq1@wsx zaq12wsx zaq1xsw2 mamatata bartek agnieszka marcin mateusz kasia lukasz tomek
michal piotrek krzysiek dominika monika natalia karolina justyna magda magdalena aleksandra qwer1234
misiek misiaczek kotek kotek123 piesek slonko sloneczko skarbie skarbek myszka mysz123 zabka kwiatek
barcelona realmadrid legia legiawarszawa lechpoznan wislakrakow cracovia warszawa krakow gdansk wroclaw
poznan lodz szczecin katowice lublin bialystok zakopane mazury tatra wisla odra jagiellonia
niebieski zielony czerwony czarny bialy pomarancza truskawka czekolada cukierek ksiezniczka
dupa dupa123 dupadupa jebac pierdole kurwa kurwa123 spierdalaj zaqwsx zaqwsxcde qweasd qweasdzxc
qweasdzxc123 asdqwe123 asd123 asdasd asdasdasd qweqwe qweqweqwe zxczxc 1a2b3c4d 1a2s3d4f 11111111
111111111111 000000000000 123123123 123123123123 121212 112233 123654 123789 147258 147258369 159753
159357 987654321 9876543210 0987654321 7777777 666666 555555 888888 999999 101010 131313 696969
sierpien wrzesien pazdziernik listopad grudzien styczen luty marzec kwiecien maj czerwiec lipiec
poniedzialek wtorek sroda czwartek piatek sobota niedziela wiosna jesien zima lato
`;

/** Words people build "long" passwords from: each is tried with the decorations below. */
export const BASE_WORDS = `
password passwort haslo qwerty qwertyuiop asdfghjkl zxcvbnm zaq12wsx 1qaz2wsx admin administrator
welcome letmein iloveyou kochamcie polska warszawa krakow gdansk poznan wroclaw dragon monkey shadow
sunshine princess football superman batman spiderman master freedom whatever trustno1 starwars
computer internet samsung google facebook microsoft windows secret changeme default summer winter
spring autumn january february march april june july august september october november december
poniedzialek niedziela kochanie skarbie sloneczko misiaczek ksiezniczka czekolada barcelona
realmadrid legiawarszawa manchester liverpool chelsea arsenal juventus bayern pokemon minecraft
fortnite playstation xbox nintendo matrix hunter ranger soccer baseball hockey basketball charlie
jordan michael jennifer jessica daniel thomas robert andrew mateusz bartek marcin lukasz agnieszka
katarzyna aleksandra magdalena dominika natalia karolina monika justyna anna maria piotr pawel
tomasz krzysztof jakub kamil adrian dawid michal szymon wojtek kacper filip patryk grzegorz
zgoda rodo gdpr optyk okulary company firma biuro office sklep kasa klient customer support
helpdesk service serwis system dostep access login logowanie haslo1 password1 qwerty1 abc
`;

const SUFFIXES = [
  '',
  '1',
  '12',
  '123',
  '1234',
  '12345',
  '123456',
  '1234567',
  '12345678',
  '123456789',
  '!',
  '1!',
  '123!',
  '1234!',
  '@',
  '#',
  '01',
  '007',
  '69',
  '99',
  '00',
  '11',
  '2000',
  '2010',
  '2020',
  '2021',
  '2022',
  '2023',
  '2024',
  '2025',
  '2026',
];

const words = (block: string) => block.split(/\s+/).filter(Boolean);

/** The list as shipped: top passwords plus every base word with every decoration. */
export function expandCommonPasswords(): Set<string> {
  const out = new Set(words(TOP_PASSWORDS));
  for (const base of words(BASE_WORDS)) {
    for (const suffix of SUFFIXES) {
      out.add(`${base}${suffix}`);
      out.add(`${base}${base}${suffix}`);
    }
  }
  return out;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** The candidate with the usual decorations removed: case, trailing digits/symbols, leetspeak. */
export function baseForms(candidate: string): string[] {
  const lower = candidate.toLowerCase();
  const stripped = lower.replace(/[^a-z]+$/u, '').replace(/^[^a-z]+/u, '');
  const unleet = [...lower].map((c) => LEET[c] ?? c).join('');
  const unleetStripped = unleet.replace(/[^a-z]+$/u, '');
  return [...new Set([lower, stripped, unleet, unleetStripped])].filter(Boolean);
}
