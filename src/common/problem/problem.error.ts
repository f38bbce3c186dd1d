import { ERROR_STATUS, ErrorCode } from './error-codes';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one exception type services throw for expected failures. `detail` and `extras` reach the client:
 * never put personal data (e-mails, names, phone numbers) in them, only ids and field names.
 */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extras: Record<string, unknown> & { errors?: FieldError[] } = {},
  ) {
    super(detail ?? code);
    this.status = ERROR_STATUS[code];
  }
}
