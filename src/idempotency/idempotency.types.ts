export const IDEMPOTENT_KEY = 'zgoda:idempotent';

/** What an answered key keeps of its answer: ids, keys and flags, never a field with personal data or a secret. */
export type IdempotencyRef = Record<string, string | number | boolean | null>;

export interface IdempotentOptions<C, B> {
  /** The reference to what the first request created, taken from its answer (and the route's path parameters). */
  ref: (body: B, params: Record<string, string>) => IdempotencyRef;
  /**
   * The answer to a replay, read again from the reference (the resource as it is now, in the first answer's shape).
   * Left out where the answer carried a secret shown once: a replay is refused (409 idempotency_secret_not_replayed,
   * with the reference), never answered with the secret again.
   */
  replay?: (controller: C, ref: IdempotencyRef) => Promise<B> | B;
}
