// Every module's tables, for the TypeORM CLI (ormconfig.ts), migrate and the schema-drift test. The app itself
// loads what the modules register with TypeOrmModule.forFeature (autoLoadEntities).
import { AUDIT_ENTITIES } from '../audit/audit.entities';
import { AUTH_ENTITIES } from '../auth/auth.entities';
import { BREACHES_ENTITIES } from '../breaches/breaches.entities';
import { CONSENT_ENTITIES } from '../consent/consent.entities';
import { IDEMPOTENCY_ENTITIES } from '../idempotency/idempotency.entities';
import { NOTIFICATIONS_ENTITIES } from '../notifications/notifications.entities';
import { OUTBOX_ENTITIES } from '../outbox/outbox.entities';
import { REGISTER_ENTITIES } from '../register/register.entities';
import { REQUESTS_ENTITIES } from '../requests/requests.entities';
import { RETENTION_ENTITIES } from '../retention/retention.entities';
import { SUBJECTS_ENTITIES } from '../subjects/subjects.entities';
import { SYSTEMS_ENTITIES } from '../systems/systems.entities';
import { USERS_ENTITIES } from '../users/users.entities';

export const ALL_ENTITIES = [
  ...AUDIT_ENTITIES,
  ...AUTH_ENTITIES,
  ...BREACHES_ENTITIES,
  ...CONSENT_ENTITIES,
  ...IDEMPOTENCY_ENTITIES,
  ...NOTIFICATIONS_ENTITIES,
  ...OUTBOX_ENTITIES,
  ...REGISTER_ENTITIES,
  ...REQUESTS_ENTITIES,
  ...RETENTION_ENTITIES,
  ...SUBJECTS_ENTITIES,
  ...SYSTEMS_ENTITIES,
  ...USERS_ENTITIES,
];
