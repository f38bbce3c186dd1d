import { addMessages, defineStrings, message, PageLang } from '../rendering';

/** The one-message pages behind request e-mails' links, in the one catalogue's namespace `requestPages`. */
export const REQUEST_PAGE_STRINGS = defineStrings({
  pl: {
    verifyTitle: 'Potwierdzenie żądania',
    verifyAsk: 'Potwierdź, że to Ty złożyłeś(-aś) żądanie: {type}. Bez potwierdzenia nie zajmiemy się nim.',
    verifyButton: 'Potwierdzam żądanie',
    verified:
      'Dziękujemy. Żądanie zostało potwierdzone; odpowiemy w ciągu miesiąca. Stan żądania sprawdzisz pod linkiem poniżej.',
    duplicate: 'To żądanie jest już w trakcie realizacji; jego stan sprawdzisz pod linkiem poniżej.',
    statusLink: 'Stan żądania',
    invalidTitle: 'Nieprawidłowy link',
    invalid: 'Ten link jest nieprawidłowy, został już użyty albo wygasł.',
  },
  en: {
    verifyTitle: 'Confirm your request',
    verifyAsk: 'Please confirm that you made this request: {type}. Without confirmation we will not act on it.',
    verifyButton: 'Confirm the request',
    verified:
      'Thank you. Your request is confirmed; we will answer within one month. You can follow it with the link below.',
    duplicate: 'This request is already being handled; you can follow it with the link below.',
    statusLink: 'Request status',
    invalidTitle: 'Invalid link',
    invalid: 'This link is not valid, has already been used or has expired.',
  },
});
addMessages('requestPages', REQUEST_PAGE_STRINGS);

/** The page's words in `lang`: `t('key', { vars })`, the key checked by the compiler. */
export const requestPageText =
  (lang: PageLang) =>
  (key: keyof (typeof REQUEST_PAGE_STRINGS)['pl'], vars: Record<string, unknown> = {}): string =>
    message(lang, `requestPages.${key}`, vars);
