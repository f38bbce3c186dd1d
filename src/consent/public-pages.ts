import { addMessages, defineStrings, message, PageLang } from '../rendering';

/** The one-message pages behind consent e-mails' links, in the one catalogue's namespace `consentPages`. */
export const CONSENT_PAGE_STRINGS = defineStrings({
  pl: {
    unsubscribeTitle: 'Wypisanie się',
    unsubscribeAsk:
      'Czy chcesz wycofać zgodę „{purpose}” (kanał: {channel})? Wycofanie nie wpływa na zgodność z prawem przetwarzania sprzed wycofania.',
    unsubscribeButton: 'Wycofuję zgodę',
    unsubscribeDone: 'Zgoda „{purpose}” została wycofana. Nie będziemy już wysyłać tych wiadomości.',
    confirmTitle: 'Potwierdzenie zgody',
    confirmAsk: 'Potwierdź, że wyrażasz zgodę „{purpose}”.',
    confirmButton: 'Potwierdzam',
    confirmed: 'Dziękujemy, zgoda „{purpose}” została potwierdzona.',
    notPending: 'Ta zgoda nie czeka już na potwierdzenie (została wycofana lub zmieniona).',
    invalidTitle: 'Nieprawidłowy link',
    invalid: 'Ten link jest nieprawidłowy lub wygasł.',
  },
  en: {
    unsubscribeTitle: 'Unsubscribe',
    unsubscribeAsk:
      'Do you want to withdraw your consent "{purpose}" (channel: {channel})? Withdrawal does not affect processing before it.',
    unsubscribeButton: 'Withdraw consent',
    unsubscribeDone: 'Your consent "{purpose}" has been withdrawn. We will not send these messages any more.',
    confirmTitle: 'Confirm your consent',
    confirmAsk: 'Please confirm that you consent to "{purpose}".',
    confirmButton: 'Confirm',
    confirmed: 'Thank you, your consent "{purpose}" is confirmed.',
    notPending: 'This consent is no longer waiting for confirmation (it was withdrawn or changed).',
    invalidTitle: 'Invalid link',
    invalid: 'This link is not valid or has expired.',
  },
});
addMessages('consentPages', CONSENT_PAGE_STRINGS);

/** The page's words in `lang`: `t('key', { vars })`, the key checked by the compiler. */
export const consentPageText =
  (lang: PageLang) =>
  (key: keyof (typeof CONSENT_PAGE_STRINGS)['pl'], vars: Record<string, unknown> = {}): string =>
    message(lang, `consentPages.${key}`, vars);
