import {
  InvalidIdentifierError,
  normaliseEmail,
  normaliseExternalId,
  normaliseIdentifier,
  normalisePhone,
  type IdentifierKind,
} from './normalise';

function rejection(fn: () => unknown): InvalidIdentifierError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidIdentifierError);
    return e as InvalidIdentifierError;
  }
  throw new Error('expected InvalidIdentifierError');
}

function expectRejected(kind: IdentifierKind, fn: () => unknown, raw: string): void {
  const error = rejection(fn);
  expect(error.kind).toBe(kind);
  expect(error.message).toContain(kind);
  const trimmed = raw.trim();
  // the error must not echo the identifier (it is personal data and lands in logs and responses)
  if (trimmed.length >= 4) expect(error.message).not.toContain(trimmed);
  if (trimmed.length >= 4) expect(error.message.toLowerCase()).not.toContain(trimmed.toLowerCase());
}

describe('normaliseEmail', () => {
  it('treats Jan@Example.com with a trailing space as jan@example.com', () => {
    expect(normaliseEmail('Jan@Example.com ')).toBe('jan@example.com');
    expect(normaliseEmail('Jan@Example.com ')).toBe(normaliseEmail('jan@example.com'));
  });

  it.each([
    ['  jan@example.com\t', 'jan@example.com'],
    ['\njan@example.com\r\n', 'jan@example.com'],
    ['JAN.KOWALSKI@EXAMPLE.PL', 'jan.kowalski@example.pl'],
    ['Jan@EXAMPLE.com', 'jan@example.com'],
    ['jan@Sub.Example.CO.UK', 'jan@sub.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a_b-c!#$%&*=?^`{|}~@example.com', 'a_b-c!#$%&*=?^`{|}~@example.com'],
    ['jan@xn--w-uga1v8h.pl', 'jan@xn--w-uga1v8h.pl'],
    ['jan@a-b.example.com', 'jan@a-b.example.com'],
    ['x@y.z', 'x@y.z'],
    [`jan@${'Ż'.repeat(40)}.pl`, `jan@${'ż'.repeat(40)}.pl`], // 80 UTF-8 octets, 48 in punycode: DNS counts the latter
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it('keeps dots and +tags, which are different mailboxes at many providers', () => {
    expect(normaliseEmail('jan.kowalski@example.com')).not.toBe(normaliseEmail('jankowalski@example.com'));
    expect(normaliseEmail('Jan+News@Example.com')).toBe('jan+news@example.com');
    expect(normaliseEmail('jan+news@example.com')).not.toBe(normaliseEmail('jan@example.com'));
    expect(normaliseEmail('j.a.n@gmail.com')).toBe('j.a.n@gmail.com');
  });

  it('composes Unicode (NFC) so the same Polish address typed two ways matches', () => {
    const composed = 'łukasz.żółć@poczta.pl';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(normaliseEmail(decomposed)).toBe(composed);
    expect(normaliseEmail('ŁUKASZ@Żółw.PL')).toBe('łukasz@żółw.pl');
  });

  it('normalises to NFC even after case mapping', () => {
    const result = normaliseEmail('İ@example.com');
    expect(result).toBe(result.normalize('NFC'));
    expect(result).toBe(normaliseEmail('i̇@example.com'));
  });

  it('is idempotent', () => {
    for (const raw of ['Jan@Example.com ', 'ŁUKASZ@Żółw.PL', 'a+b@c.de']) {
      const once = normaliseEmail(raw);
      expect(normaliseEmail(once)).toBe(once);
    }
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['no @', 'jan.example.com'],
    ['two @', 'jan@kowalski@example.com'],
    ['empty local part', '@example.com'],
    ['empty domain', 'jan@'],
    ['domain without a dot', 'jan@localhost'],
    ['space inside', 'jan kowalski@example.com'],
    ['space before @', 'jan @example.com'],
    ['non-breaking space', 'jan\u00a0@example.com'],
    ['zero-width space', 'jan\u200b@example.com'],
    ['tab inside', 'jan\t@example.com'],
    ['newline inside', 'jan@example.com\nBcc: x@y.pl'],
    ['display name', 'Jan Kowalski <jan@example.com>'],
    ['angle brackets', '<jan@example.com>'],
    ['list', 'jan@example.com,anna@example.com'],
    ['semicolon list', 'jan@example.com;anna@example.com'],
    ['quoted local part', '"jan kowalski"@example.com'],
    ['domain literal', 'jan@[192.168.0.1]'],
    ['leading dot in local part', '.jan@example.com'],
    ['trailing dot in local part', 'jan.@example.com'],
    ['empty domain label', 'jan@example..com'],
    ['trailing dot in domain', 'jan@example.com.'],
    ['leading dot in domain', 'jan@.example.com'],
    ['hyphen at label start', 'jan@-example.com'],
    ['hyphen at label end', 'jan@example-.com'],
    ['underscore in domain', 'jan@ex_ample.com'],
    ['numeric top-level domain', 'jan@example.123'],
    ['IPv4 address as domain', 'jan@192.168.0.1'],
    ['local part over 64 octets', `${'a'.repeat(65)}@example.com`],
    ['domain label over 63 octets', `jan@${'a'.repeat(64)}.com`],
    [
      'address over 254 octets',
      `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.pl`,
    ],
    ['a megabyte', `${'a'.repeat(1_000_000)}@example.com`],
  ])('rejects %s without echoing it', (_label, raw) => {
    expectRejected('email', () => normaliseEmail(raw), raw);
  });

  it('accepts exactly 254 octets', () => {
    const local = 'a'.repeat(64);
    const address = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.pl`;
    expect(address.length).toBe(254);
    expect(normaliseEmail(address)).toBe(address);
    const longer = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.pl`;
    expectRejected('email', () => normaliseEmail(longer), longer);
    // counted in UTF-8 octets, as SMTP counts: 130 characters, but 254 and 256 octets
    const polish = (n: number) => `${'ą'.repeat(32)}@${'ż'.repeat(31)}.${'ó'.repeat(31)}.${'ł'.repeat(n)}.pl`;
    expect(Buffer.byteLength(polish(30))).toBe(254);
    expect(normaliseEmail(polish(30))).toBe(polish(30));
    expectRejected('email', () => normaliseEmail(polish(31)), polish(31));
  });

  it('rejects non-strings from untyped input', () => {
    expect(rejection(() => normaliseEmail(undefined as never)).kind).toBe('email');
    expect(rejection(() => normaliseEmail(42 as never)).kind).toBe('email');
  });

  it('gives a reason without the value', () => {
    const error = rejection(() => normaliseEmail('jan.kowalski(at)example.com'));
    expect(error.message).toMatch(/^Invalid email: /);
    expect(error.reason).toBeTruthy();
    expect(error.message).not.toContain('kowalski');
    expect(error.name).toBe('InvalidIdentifierError');
  });
});

describe('normalisePhone', () => {
  it.each([
    ['600 100 200', '+48600100200'],
    ['600100200', '+48600100200'],
    ['600-100-200', '+48600100200'],
    ['+48 600 100 200', '+48600100200'],
    ['+48600100200', '+48600100200'],
    ['0048 600 100 200', '+48600100200'],
    ['(+48) 600 100 200', '+48600100200'],
    ['+48 (600) 100-200', '+48600100200'],
    [' +48 600 100 200 ', '+48600100200'],
    ['+48 600.100.200', '+48600100200'],
    ['+48 600\u2013100\u2013200', '+48600100200'],
    ['６００ １００ ２００', '+48600100200'],
    ['+48 12 345 67 89', '+48123456789'],
    ['22 123 45 67', '+48221234567'],
    ['+49 30 901820', '+4930901820'],
    ['0049 30 901820', '+4930901820'],
    ['+44 20 7946 0018', '+442079460018'],
    ['+1 213 373 4253', '+12133734253'],
    ['+380 44 123 4567', '+380441234567'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalisePhone(raw)).toBe(expected);
  });

  it('reads national numbers in the given region', () => {
    expect(normalisePhone('030 901820', 'DE')).toBe('+4930901820');
    expect(normalisePhone('020 7946 0018', 'GB')).toBe('+442079460018');
    // an explicit country code wins over the default region
    expect(normalisePhone('+48 600 100 200', 'DE')).toBe('+48600100200');
  });

  it('gives the same result for every way of typing one number', () => {
    const spellings = ['600 100 200', '+48600100200', '0048 600-100-200', '(+48) 600 100 200'];
    expect(new Set(spellings.map((s) => normalisePhone(s))).size).toBe(1);
  });

  it('is idempotent', () => {
    expect(normalisePhone(normalisePhone('600 100 200'))).toBe('+48600100200');
    expect(normalisePhone(normalisePhone('+49 30 901820'), 'PL')).toBe('+4930901820');
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['too short', '123'],
    ['too long', '600 100 200 300 400'],
    ['unassigned Polish range', '999 999 999'],
    ['all zeros', '000 000 000'],
    ['invalid Polish prefix', '+48 11 222 33 44'],
    ['letters', '600 100 2OO'],
    ['vanity letters', '1-800-FLOWERS'],
    ['free text around a number', 'call me at 600 100 200'],
    ['an extension', '600 100 200 ext. 5'],
    ['an x extension', '600100200x12'],
    ['an e-mail', 'jan@example.com'],
    ['a hash', '600#100#200'],
    ['overlong input', '6'.repeat(100)],
    ['national number in the wrong region', '600 100 200'],
  ])('rejects %s without echoing it', (label, raw) => {
    const region = label === 'national number in the wrong region' ? 'US' : 'PL';
    expectRejected('phone', () => normalisePhone(raw, region), raw);
  });

  it('rejects non-strings from untyped input', () => {
    expect(rejection(() => normalisePhone(600100200 as never)).kind).toBe('phone');
  });
});

describe('normaliseExternalId', () => {
  it.each([
    ['  CRM-000123  ', 'CRM-000123'],
    ['42', '42'],
    ['a', 'a'],
    ['AbC-dEf', 'AbC-dEf'],
    ['klient/2024/ŁÓDŹ', 'klient/2024/ŁÓDŹ'],
    ['jan@example.com', 'jan@example.com'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseExternalId(raw)).toBe(expected);
  });

  it('keeps case, because other systems may treat AB12 and ab12 as two customers', () => {
    expect(normaliseExternalId('AB12')).not.toBe(normaliseExternalId('ab12'));
  });

  it('accepts 200 characters, counted as characters not UTF-16 units', () => {
    expect(normaliseExternalId('x'.repeat(200))).toHaveLength(200);
    expect([...normaliseExternalId('🦊'.repeat(200))]).toHaveLength(200);
  });

  it.each([
    ['empty', ''],
    ['only spaces', '  \t '],
    ['201 characters', 'x'.repeat(201)],
    ['201 emoji', '🦊'.repeat(201)],
    ['a newline inside', 'abc\ndef'],
    ['a NUL', 'abc\u0000def'],
  ])('rejects %s', (_label, raw) => {
    expectRejected('external_id', () => normaliseExternalId(raw), raw);
  });
});

describe('normaliseIdentifier', () => {
  it('dispatches by kind', () => {
    expect(normaliseIdentifier('email', 'Jan@Example.com ')).toBe('jan@example.com');
    expect(normaliseIdentifier('phone', '600 100 200')).toBe('+48600100200');
    expect(normaliseIdentifier('external_id', ' X1 ')).toBe('X1');
  });

  it('reports the kind of the failing identifier', () => {
    expect(rejection(() => normaliseIdentifier('phone', 'abc')).kind).toBe('phone');
    expect(rejection(() => normaliseIdentifier('email', 'abc')).kind).toBe('email');
  });

  it('refuses an unknown kind', () => {
    expect(() => normaliseIdentifier('name' as never, 'Jan')).toThrow(TypeError);
  });
});
