/**
 * Clocks of the entering system and ours differ a little: a time a minute ahead of ours ("received",
 * "told", "expressed") is not from the future.
 */
export const CLOCK_SKEW_MS = 60_000;
