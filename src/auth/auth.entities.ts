import { ApiKey } from './api-key.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const AUTH_ENTITIES = [ApiKey];
