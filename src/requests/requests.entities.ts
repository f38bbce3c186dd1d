import { OpenGdprCallback } from './opengdpr/opengdpr-callback.entity';
import { OpenGdprRequest } from './opengdpr/opengdpr-request.entity';
import { RequestResult } from './request-result.entity';
import { RequestSigningKey } from './request-signing-key.entity';
import { RequestTask } from './request-task.entity';
import { RequestToken } from './request-token.entity';
import { DsrRequest } from './request.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const REQUESTS_ENTITIES = [
  DsrRequest,
  RequestTask,
  RequestToken,
  RequestResult,
  RequestSigningKey,
  OpenGdprRequest,
  OpenGdprCallback,
];
