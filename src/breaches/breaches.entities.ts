import { BreachAffectedSubject } from './breach-affected-subject.entity';
import { BreachAuthorityNotification } from './breach-authority-notification.entity';
import { BreachDigest } from './breach-digest.entity';
import { BreachEvent } from './breach-event.entity';
import { Breach } from './breach.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const BREACHES_ENTITIES = [
  Breach,
  BreachEvent,
  BreachAffectedSubject,
  BreachAuthorityNotification,
  BreachDigest,
];
