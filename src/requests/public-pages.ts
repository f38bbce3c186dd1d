import { REQUEST_TYPE_LABELS } from '../rendering';

/** Every text a person reads exists in Polish and English. */
export const PAGE_TEXT = {
  pl: {
    verifyTitle: 'Potwierdzenie żądania',
    verifyAsk: (type: string) =>
      `Potwierdź, że to Ty złożyłeś(-aś) żądanie: ${REQUEST_TYPE_LABELS[type]?.pl ?? type}. Bez potwierdzenia nie zajmiemy się nim.`,
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
    verifyAsk: (type: string) =>
      `Please confirm that you made this request: ${REQUEST_TYPE_LABELS[type]?.en ?? type}. Without confirmation we will not act on it.`,
    verifyButton: 'Confirm the request',
    verified:
      'Thank you. Your request is confirmed; we will answer within one month. You can follow it with the link below.',
    duplicate: 'This request is already being handled; you can follow it with the link below.',
    statusLink: 'Request status',
    invalidTitle: 'Invalid link',
    invalid: 'This link is not valid, has already been used or has expired.',
  },
} as const;
