import { AsyncLocalStorage } from 'node:async_hooks';

export interface IdempotencyScopeState {
  principalId: string;
  key: string;
}

const als = new AsyncLocalStorage<IdempotencyScopeState>();

/**
 * The Idempotency-Key whose work is running in this async context (issue 25 item 11). Every transaction committed
 * inside it marks the key's record as carried out, in that same transaction (IdempotencyCommitMarker): a process that
 * dies after the commit and before the answer is stored leaves a record that says so, and a retry never runs the
 * work a second time.
 */
export const IdempotencyScope = {
  run<T>(state: IdempotencyScopeState, fn: () => Promise<T>): Promise<T> {
    return als.run(state, fn);
  },
  current(): IdempotencyScopeState | undefined {
    return als.getStore();
  },
  /**
   * Runs `fn` outside any key's scope: for a transaction that is not the guarded work itself (e.g. creating an
   * installation's first signing key on the way), whose commit must not mark the work as carried out.
   */
  outside<T>(fn: () => Promise<T>): Promise<T> {
    return als.exit(fn);
  },
};
