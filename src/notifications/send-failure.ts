import { scrub } from '../common/logging/logger.options';
import { TemplateRenderError } from '../rendering';
import { UnknownEmailTemplateError } from './template-registry.service';

/** The subject has no e-mail address (any more): nothing to send to, now or later. */
export class NoContactError extends Error {
  constructor() {
    super('no_contact');
  }
}

export interface SendFailure {
  /** Retrying the same message would fail the same way. */
  permanent: boolean;
  /** Code and status only: SMTP replies often quote the address, so their text is never kept. */
  reason: string;
}

interface SmtpLikeError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  permanent?: unknown;
}

const ENHANCED_STATUS = /\b[245]\.\d{1,3}\.\d{1,3}\b/;

/**
 * Sorts a failed send into permanent (the server refused this message for good: 5xx, RFC 5321) and
 * temporary (4xx, connection trouble) failures. A refused login (EAUTH) is a configuration problem of
 * ours, not of the message: it stays retryable so the e-mails go out once the operator fixes it.
 */
export function describeSendFailure(error: unknown): SendFailure {
  if (error instanceof NoContactError) return { permanent: true, reason: 'no_contact' };
  if (error instanceof TemplateRenderError || error instanceof UnknownEmailTemplateError)
    return { permanent: true, reason: `template_error: ${error.message}` };
  const e = (error ?? {}) as SmtpLikeError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code || status) {
    const enhanced = typeof e.response === 'string' ? ENHANCED_STATUS.exec(e.response)?.[0] : undefined;
    const reason = ['smtp', code, status, enhanced].filter((x) => x !== undefined).join(' ');
    let permanent =
      typeof e.permanent === 'boolean'
        ? e.permanent
        : status !== undefined && status >= 500 && status < 600 && status !== 503;
    // An address nodemailer refused before talking to the server is as final as a 550.
    if (code === 'EENVELOPE' && status === undefined) permanent = true;
    if (code === 'EAUTH' || code === 'ENOAUTH') permanent = false;
    return { permanent, reason };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
  return { permanent: false, reason: scrub(message).slice(0, 300) };
}
