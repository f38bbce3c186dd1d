import { IdempotencyRecord } from './idempotency-record.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const IDEMPOTENCY_ENTITIES = [IdempotencyRecord];
