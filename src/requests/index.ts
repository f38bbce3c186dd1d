// The public surface of the requests module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { OpenRequestsService } from './open-requests.service';
export { OPENGDPR_CREATE_ROUTES } from './opengdpr/opengdpr.controller';
export { readableCertificate } from './outputs/erasure-certificate';
export { RequestOutputs } from './outputs/request-outputs.service';
export { RetentionTerms } from './outputs/retention-terms';
export type { PurposeScope } from './outputs/retention-terms';
export { PublicRequestsService } from './public-requests.service';
export { OPEN_STATUSES } from './request-state';
export { TASK_RESULT_ROUTE } from './request-tasks.controller';
export { RequestDetails } from './request-vault.service';
export { ART19_TYPES, REQUEST_STATUSES, REQUEST_TYPES, RequestType } from './request.types';
export { RequestsModule } from './requests.module';
export { RequestsService } from './requests.service';
export { TaskResults } from './fulfilment/task-results.service';
export type { ClockResponse, RequestResponse } from './request-api.responses';
export { ExtendRequestDto, ListRequestsQuery, RejectRequestDto, TaskResultDto } from './requests.dto';
export { RequestIntake } from './request-intake.service';
export { CreateRequestDto } from './requests.dto';
