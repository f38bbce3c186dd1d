import { FieldError, ProblemError } from '../common/problem/problem.error';
import type { SystemKind } from './system.entity';

/** EU member states plus Iceland, Liechtenstein and Norway: no Chapter V transfer inside this area. */
// prettier-ignore
export const EEA_COUNTRIES: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
];

export const ZGODA_SYSTEM_KEY = 'zgoda';

/** How long callbacks signed with the replaced webhook secret are still accepted. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

export interface SystemShape {
  key: string;
  kind: SystemKind;
  active: boolean;
  webhookUrl: string | null;
  hasSecret: boolean;
  processorCountry: string | null;
  transferSafeguards: string | null;
}

/** The rules a system must satisfy as a whole, after a create or a patch; 422 naming the fields. */
export function assertValidSystem(s: SystemShape, production: boolean): void {
  const errors: FieldError[] = [];
  if (s.kind === 'webhook' && (!s.webhookUrl || !s.hasSecret)) {
    errors.push({ field: 'webhook', message: 'a webhook system needs webhook.url and webhook.secret' });
  }
  if (s.kind !== 'webhook' && (s.webhookUrl || s.hasSecret)) {
    errors.push({ field: 'webhook', message: 'only a system of kind "webhook" has a webhook' });
  }
  // Request payloads carry identifiers and come back with personal data: never over plain HTTP in production.
  if (production && s.webhookUrl && !s.webhookUrl.startsWith('https://')) {
    errors.push({ field: 'webhook.url', message: 'webhook.url must use https' });
  }
  // Art. 44-46: a processor outside the EEA needs an adequacy decision or appropriate safeguards.
  if (s.processorCountry && !EEA_COUNTRIES.includes(s.processorCountry) && !s.transferSafeguards) {
    errors.push({
      field: 'processor.transferSafeguards',
      message: 'a processor outside the EEA needs transferSafeguards (Art. 45-46)',
    });
  }
  if (errors.length) throw new ProblemError('validation_failed', 'The request is not valid.', { errors });
}

/** Zgoda's own store always holds personal data and is reached internally. */
export function assertZgodaSystemChange(key: string, change: { kind?: SystemKind; active?: boolean }): void {
  if (key !== ZGODA_SYSTEM_KEY) return;
  if ((change.kind && change.kind !== 'internal') || change.active === false) {
    throw new ProblemError('conflict', 'The zgoda system is Zgoda itself: it stays internal and active.');
  }
}
