import type { Scope } from '../common/auth/scopes';

/** Persisted strings: never rename a role. */
export const ROLES = ['admin', 'dpo', 'staff', 'marketing'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Each role gets the API-key scopes its work needs and no more (Art. 25 and 32: data protection by
 * default, access on a need-to-know basis). A session principal carries these scopes, so every
 * `@RequireScopes` check treats a staff member exactly like an API key with the same scopes.
 */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['admin'],
  // The DPO supervises (Art. 39): requests, consents, the audit log, the register, retention and breaches.
  dpo: [
    'consent:read',
    'subjects:read',
    'subjects:write',
    'requests:read',
    'requests:write',
    'retention:manage',
    'audit:read',
    'register:read',
    'register:write',
    'breaches:manage',
    // Bringing in the consent history the company already has (issue 14).
    'imports:write',
  ],
  // Front-line staff handle requests and record consents given at the counter.
  staff: ['consent:read', 'consent:write', 'subjects:read', 'requests:read', 'requests:write'],
  // Marketing needs to know who agreed to what, never who the person is.
  marketing: ['consent:read'],
};

export const scopesOf = (role: Role): readonly Scope[] => ROLE_SCOPES[role];
