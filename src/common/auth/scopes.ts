import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_EXTENSION, SCOPES_EXTENSION } from '../openapi/contract';

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

/**
 * The route needs an authenticated principal holding at least one of these scopes (`admin` implies all); the
 * OpenAPI document states the API key, the scopes, and the 401 and 403 answers (src/common/openapi/contract.ts).
 */
export const RequireScopes = (...scopes: Scope[]) =>
  applyDecorators(SetMetadata(SCOPES_KEY, scopes), ApiExtension(SCOPES_EXTENSION, scopes));

/**
 * The route is reachable without an API key (`security: []` in the document, unless it names another scheme).
 * Every route must say one or the other: the guard denies by default.
 */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));

export function hasScope(held: readonly string[], needed: readonly Scope[]): boolean {
  return held.includes('admin') || needed.some((s) => held.includes(s));
}
