import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';

export const SCOPES = [
  'consent:read',
  'consent:write',
  'subjects:read',
  'subjects:write',
  'requests:read',
  'requests:write',
  'systems:manage',
  'retention:manage',
  'audit:read',
  'register:read',
  'register:write',
  'keys:manage',
  'breaches:manage',
  'users:manage',
  'imports:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPES_KEY = 'zgoda:scopes';
export const PUBLIC_KEY = 'zgoda:public';

/** The route needs an authenticated principal holding at least one of these scopes (`admin` implies all). */
export const RequireScopes = (...scopes: Scope[]) =>
  applyDecorators(SetMetadata(SCOPES_KEY, scopes), ApiBearerAuth(), ApiSecurity('bearer'));

/** The route is reachable without credentials. Every route must say one or the other: the guard denies by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export function hasScope(held: readonly string[], needed: readonly Scope[]): boolean {
  return held.includes('admin') || needed.some((s) => held.includes(s));
}
