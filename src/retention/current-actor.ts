import { requestContext } from '../common/context/request-context';

/** `<principal kind>:<id>` of whoever acts now (an API key, a staff member, the worker): never a name. */
export function currentActor(): string {
  const p = requestContext.get()?.principal;
  return p ? `${p.kind}:${p.id}` : 'system:zgoda';
}
