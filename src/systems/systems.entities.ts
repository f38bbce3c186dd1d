import { System } from './system.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const SYSTEMS_ENTITIES = [System];
