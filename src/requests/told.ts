import { ProblemError } from '../common/problem/problem.error';
import type { ToldBy, ToldOffline } from '../common/validation/told-by';
import { CLOCK_SKEW_MS } from './request-intake.service';

/**
 * How a subject Zgoda cannot e-mail was told something the law says they must be told (Art. 12(3) extension,
 * Art. 21(1) assessment): staff record the channel and the time, or the change is refused with 409
 * `subject_cannot_be_told` and nothing is written. The time may not lie in the future nor before `notBefore`.
 */
export function toldOffline(
  by: ToldOffline | undefined,
  at: string | undefined,
  notBefore: Date,
): { by: ToldBy; at: Date } {
  if (!by || !at) {
    throw new ProblemError(
      'subject_cannot_be_told',
      'Zgoda has no e-mail address for this subject; tell them another way and record it (toldBy, toldAt).',
    );
  }
  const when = new Date(at);
  const field = (message: string) =>
    new ProblemError('validation_failed', 'The request is not valid.', { errors: [{ field: 'toldAt', message }] });
  if (when.getTime() > Date.now() + CLOCK_SKEW_MS) throw field('toldAt may not lie in the future');
  if (when < notBefore) throw field('toldAt may not be before the request was received');
  return { by, at: when };
}
