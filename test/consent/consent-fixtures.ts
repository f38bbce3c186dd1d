import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/test-app';

export const uniqueKey = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
export const uniqueEmail = (prefix = 'person') => `${prefix}.${randomBytes(4).toString('hex')}@example.com`;

export function purposeBody(key: string, over: Record<string, unknown> = {}) {
  return {
    key,
    name: `Purpose ${key}`,
    description: 'What we do and why',
    legalBasis: 'consent',
    dataCategories: ['contact'],
    subjectCategories: ['customers'],
    recipients: ['Mailer sp. z o.o.'],
    processors: [],
    transfers: [],
    channels: ['email', 'sms'],
    marketing: true,
    retention: 'until withdrawal',
    ...over,
  };
}

/** A purpose with version 1 published in pl and en. */
export async function publishedPurpose(t: TestApp, prefix: string, over: Record<string, unknown> = {}) {
  const key = uniqueKey(prefix);
  const created = await t.request('POST', '/v1/purposes', purposeBody(key, over));
  if (created.status !== 201) throw new Error(`purpose: ${created.status} ${created.text}`);
  await addAndPublish(t, key);
  return key;
}

export async function addAndPublish(t: TestApp, key: string, requiresReconsent = false): Promise<number> {
  const pl = await t.request('POST', `/v1/purposes/${key}/texts`, {
    locale: 'pl',
    title: 'Zgoda',
    body: 'Wyrażam zgodę: {{purpose.name}}, administrator {{controller.name}}.',
  });
  if (pl.status !== 201) throw new Error(`text: ${pl.status} ${pl.text}`);
  const en = await t.request('POST', `/v1/purposes/${key}/texts`, {
    version: pl.body.version,
    locale: 'en',
    title: 'Consent',
    body: 'I agree: {{purpose.name}}, controller {{controller.name}}.',
  });
  if (en.status !== 201) throw new Error(`text: ${en.status} ${en.text}`);
  const pub = await t.request('POST', `/v1/purposes/${key}/texts/${pl.body.version}/publish`, { requiresReconsent });
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${pub.text}`);
  return pl.body.version as number;
}

export async function createSubject(t: TestApp, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.request('POST', '/v1/subjects', { email: uniqueEmail(), ...body });
  if (res.status !== 201) throw new Error(`subject: ${res.status} ${res.text}`);
  return res.body.id as string;
}

export function grant(over: Record<string, unknown> = {}) {
  return {
    channel: 'email',
    version: 1,
    locale: 'pl',
    decision: 'granted',
    source: { method: 'web', location: 'signup-form' },
    ...over,
  };
}
