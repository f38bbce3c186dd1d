import { StaffUser } from './staff-user.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const USERS_ENTITIES = [StaffUser];
