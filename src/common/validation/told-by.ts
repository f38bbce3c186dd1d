/**
 * How a person was told something the law says they must be told (Art. 12(3) extension, Art. 18(3) lifting
 * of a restriction) when Zgoda could not e-mail them: staff record the channel and the time.
 */
export const TOLD_OFFLINE = ['letter', 'phone', 'in_person'] as const;
export type ToldOffline = (typeof TOLD_OFFLINE)[number];
export type ToldBy = 'email' | ToldOffline;
