import { OutgoingEmail } from './outgoing-email.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const NOTIFICATIONS_ENTITIES = [OutgoingEmail];
