/** Every text a person reads exists in Polish and English. */
export const PAGE_TEXT = {
  pl: {
    unsubscribeTitle: 'Wypisanie się',
    unsubscribeAsk: (purpose: string, channel: string) =>
      `Czy chcesz wycofać zgodę „${purpose}” (kanał: ${channel})? Wycofanie nie wpływa na zgodność z prawem przetwarzania sprzed wycofania.`,
    unsubscribeButton: 'Wycofuję zgodę',
    unsubscribeDone: (purpose: string) =>
      `Zgoda „${purpose}” została wycofana. Nie będziemy już wysyłać tych wiadomości.`,
    confirmTitle: 'Potwierdzenie zgody',
    confirmAsk: (purpose: string) => `Potwierdź, że wyrażasz zgodę „${purpose}”.`,
    confirmButton: 'Potwierdzam',
    confirmed: (purpose: string) => `Dziękujemy, zgoda „${purpose}” została potwierdzona.`,
    notPending: 'Ta zgoda nie czeka już na potwierdzenie (została wycofana lub zmieniona).',
    invalidTitle: 'Nieprawidłowy link',
    invalid: 'Ten link jest nieprawidłowy lub wygasł.',
  },
  en: {
    unsubscribeTitle: 'Unsubscribe',
    unsubscribeAsk: (purpose: string, channel: string) =>
      `Do you want to withdraw your consent "${purpose}" (channel: ${channel})? Withdrawal does not affect processing before it.`,
    unsubscribeButton: 'Withdraw consent',
    unsubscribeDone: (purpose: string) =>
      `Your consent "${purpose}" has been withdrawn. We will not send these messages any more.`,
    confirmTitle: 'Confirm your consent',
    confirmAsk: (purpose: string) => `Please confirm that you consent to "${purpose}".`,
    confirmButton: 'Confirm',
    confirmed: (purpose: string) => `Thank you, your consent "${purpose}" is confirmed.`,
    notPending: 'This consent is no longer waiting for confirmation (it was withdrawn or changed).',
    invalidTitle: 'Invalid link',
    invalid: 'This link is not valid or has expired.',
  },
} as const;
