// The public surface of the users module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { LoginService } from './login.service';
export { CSRF_HEADER, MFA_COOKIE, SESSION_COOKIE, answerLogin } from './session-cookie';
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export { ROLES, type Role } from './roles';
export { StaffSessions } from './staff-sessions.service';
