import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/principal';

export interface RequestContext {
  correlationId: string;
  principal?: Principal;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Who is acting and under which correlation id, without threading both through every call. */
export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  setPrincipal(principal: Principal): void {
    const store = storage.getStore();
    if (store) store.principal = principal;
  },
};
