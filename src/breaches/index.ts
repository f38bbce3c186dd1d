// The public surface of the breaches module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { BreachesModule } from './breaches.module';
export { AffectedSubjectsService } from './affected-subjects.service';
export { AuthorityNotificationsService } from './authority-notifications.service';
export { BreachReportService } from './breach-report.service';
export { BreachStatsService } from './breach-stats.service';
export { BreachesService } from './breaches.service';
export { toBreachView, toEventView, toNotificationView } from './breach.view';
export {
  AuthorityNotificationDto,
  CreateBreachDto,
  SelectAffectedSubjectsDto,
  toInput as breachInput,
  UpdateBreachDto,
} from './breaches.dto';
export { BREACH_STATUSES, BreachStatus, NOTIFICATION_PHASES, RISK_ASSESSMENTS } from './breach.types';
export type { AffectedSelection, BreachEventView, BreachResponse } from './breaches.responses';
