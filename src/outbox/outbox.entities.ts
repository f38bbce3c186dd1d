import { OutboxMessage } from './outbox-message.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const OUTBOX_ENTITIES = [OutboxMessage];
