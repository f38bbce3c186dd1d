/*
 * Compile-time test (issue 24): the client generated from the committed document types the success and the
 * error bodies of check, batch, grant and request intake. Each `@ts-expect-error` must meet an error: were a body
 * typed `any`, `unknown` or `never`, the directive would go unused and `npm run lint` would fail.
 */
import type { Problem, ZgodaClient } from '../src';

declare const client: ZgodaClient;

export async function check(): Promise<void> {
  const r = await client.GET('/v1/consents/check', {
    params: { query: { purpose: 'newsletter', channel: 'email', email: 'jan@example.com' } },
  });
  if (r.data) {
    const allowed: boolean = r.data.allowed;
    // @ts-expect-error the reason is one of the decision reasons, not any string
    const reason: 'maybe' = r.data.reason;
    void allowed;
    void reason;
  }
  if (r.error) {
    const code: Problem['code'] = r.error.code;
    // @ts-expect-error a problem's code is one of the error-code table's
    const other: 'no_such_code' = r.error.code;
    void code;
    void other;
  }
}

export async function batch(): Promise<void> {
  const r = await client.POST('/v1/consents/check', {
    body: { purpose: 'newsletter', channel: 'email', emails: ['jan@example.com'] },
  });
  if (r.data) {
    const first: boolean | undefined = r.data.results[0]?.allowed;
    // @ts-expect-error results are objects, not strings
    const wrong: string[] = r.data.results;
    void first;
    void wrong;
  }
  if (r.error) {
    const status: number = r.error.status;
    void status;
  }
  // @ts-expect-error a batch names its purpose
  await client.POST('/v1/consents/check', { body: { channel: 'email', emails: [] } });
}

export async function grant(): Promise<void> {
  const r = await client.POST('/v1/consents', {
    body: {
      subject: { email: 'jan@example.com' },
      purpose: 'newsletter',
      channel: 'email',
      version: 1,
      locale: 'pl',
      decision: 'granted',
      source: { method: 'web', location: 'signup-form' },
    },
  });
  if (r.data) {
    const receipt: string | null = r.data.receipt;
    const created: boolean = r.data.subjectCreated;
    // @ts-expect-error the receipt is a JWS string
    const n: number = r.data.receipt;
    void receipt;
    void created;
    void n;
  }
  if (r.error) {
    const errors: { field: string; message: string }[] | undefined = r.error.errors;
    void errors;
  }
}

export async function requestIntake(): Promise<void> {
  const r = await client.POST('/v1/requests', { body: { type: 'access', subjectId: 'x', verified: true } });
  if (r.data) {
    const due: string = r.data.dueAt;
    // @ts-expect-error a request's type is one of the six rights
    const type: 'opinion' = r.data.type;
    void due;
    void type;
  }
  if (r.error) {
    const code: Problem['code'] = r.error.code;
    void code;
  }
  const p = await client.POST('/public/requests', { body: { type: 'erasure', email: 'jan@example.com' } });
  if (p.data) {
    const status: 'accepted' = p.data.status;
    void status;
  }
}
