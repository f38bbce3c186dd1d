import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, uniq, waitForStatus } from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The portal: intake without an account, verification by a mailed link, never revealing who is known. */
describe('requests: public portal and identity verification', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({
      role: 'all',
      env: {
        SMTP_URL: smtp.url,
        PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000,
        REQUEST_VERIFICATION_MAX_ATTEMPTS: 3,
        REQUEST_SWEEP_INTERVAL_MS: 300,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  /** The rows each table gained from one portal answer (without a worker, nothing else writes meanwhile). */
  async function rowsWrittenBy(api: TestApp, path: string, email: string): Promise<Record<string, number>> {
    const tables = ['requests', 'audit_log', 'outbox', 'request_tokens', 'outgoing_emails', 'subjects'];
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const name of tables)
        out[name] = (await api.dataSource.query(`SELECT count(*)::int AS n FROM ${name}`))[0].n as number;
      return out;
    };
    const before = await counts();
    const res = await api.request('POST', path, { type: 'access', email }, { key: null });
    expect(res.status).toBe(202);
    const after = await counts();
    return Object.fromEntries(tables.map((name) => [name, after[name] - before[name]]));
  }

  const submit = (body: Record<string, unknown>) => t.request('POST', '/public/requests', body, { key: null });
  const rowsFor = async (since: Date) =>
    (await t.dataSource.query(
      `SELECT r.id, r.subject_id, r.status, r.contact_sealed IS NOT NULL AS has_contact,
              (SELECT count(*)::int FROM request_tokens k WHERE k.request_id = r.id) AS tokens,
              (SELECT count(*)::int FROM audit_log a WHERE a.target_id = r.id::text) AS audits
         FROM requests r WHERE r.source = 'portal' AND r.created_at >= $1 ORDER BY r.created_at`,
      [since],
    )) as {
      id: string;
      subject_id: string | null;
      status: string;
      has_contact: boolean;
      tokens: number;
      audits: number;
    }[];
  const tokenFrom = async (email: string, type: RegExp) => {
    const mail = await eventually(async () =>
      smtp
        .to(email)
        .filter((m) => type.test(m.text) && m.text.includes('/public/verify?token='))
        .pop(),
    );
    return /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  };

  it('answers the same whether or not the address is known, and only a held address gets a link', async () => {
    const known = await createSubject(t);
    const unknown = `stranger-${uniq()}@example.com`;
    const since = new Date();
    const a = await submit({ type: 'erasure', email: known.email, locale: 'en' });
    const b = await submit({ type: 'erasure', email: unknown, locale: 'en' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body).toEqual(b.body);
    expect(a.text).toBe(b.text);
    expect(a.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);

    // The same work on both paths: a request row, the same audit trail; the link comes from the worker.
    const [ra, rb] = await rowsFor(since);
    expect(ra).toMatchObject({ subject_id: known.id, status: 'awaiting_verification', has_contact: true });
    expect(rb).toMatchObject({ subject_id: null, status: 'awaiting_verification', has_contact: false });
    expect(rb.audits).toBe(ra.audits);

    const mail = await eventually(async () => smtp.to(known.email)[0]);
    // A link for the held address only.
    expect((await rowsFor(since)).map((r) => r.tokens)).toEqual([1, 0]);
    expect(mail.subject).toBe('Please confirm your request concerning personal data');
    await sleep(1000);
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it('runs the same statements for known and unknown addresses: the answer cannot be timed apart', async () => {
    // Without a worker: what the answer itself costs, table by table (issue 25 item 7).
    const api = await startTestApp({ role: 'api', env: { PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000 } });
    try {
      const added = (email: string) => rowsWrittenBy(api, '/public/requests', email);
      const known = await createSubject(api);
      const forKnown = await added(known.email);
      const forUnknown = await added(`nobody-${uniq()}@example.com`);
      expect(forKnown).toEqual(forUnknown);
      expect(forKnown).toMatchObject({ requests: 1, outbox: 1, request_tokens: 0, outgoing_emails: 0 });
    } finally {
      await api.close();
    }
  });

  it('resends the link with the same statements for every address; the worker sends it to a held one', async () => {
    const api = await startTestApp({ role: 'api', env: { PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000 } });
    try {
      const added = (email: string) => rowsWrittenBy(api, '/public/requests/resend', email);
      const known = await createSubject(api);
      expect(
        (await api.request('POST', '/public/requests', { type: 'access', email: known.email }, { key: null })).status,
      ).toBe(202);
      const forKnown = await added(known.email);
      const forUnknown = await added(`nobody-${uniq()}@example.com`);
      expect(forKnown).toEqual(forUnknown);
      expect(forKnown).toEqual({
        requests: 0,
        audit_log: 0,
        outbox: 1,
        request_tokens: 0,
        outgoing_emails: 0,
        subjects: 0,
      });
    } finally {
      await api.close();
    }

    // With a worker: the held address waiting for its link gets a new one (once the resend interval has passed).
    const s = await createSubject(t);
    expect((await submit({ type: 'access', email: s.email, locale: 'en' })).status).toBe(202);
    await eventually(async () => smtp.to(s.email)[0]);
    await t.dataSource.query(
      `UPDATE request_tokens SET created_at = now() - interval '2 minutes'
        WHERE request_id IN (SELECT id FROM requests WHERE subject_id = $1)`,
      [s.id],
    );
    const again = await t.request('POST', '/public/requests/resend', { type: 'access', email: s.email }, { key: null });
    expect(again.status).toBe(202);
    await eventually(async () => (smtp.to(s.email).length === 2 ? true : undefined));
  });

  it('shows a page on GET, verifies on POST once, and gives a status link scoped to the request', async () => {
    const s = await createSubject(t);
    await submit({ type: 'restriction', email: s.email, locale: 'en' });
    const token = await tokenFrom(s.email, /restriction of processing/);
    const page = await t.request('GET', `/public/verify?token=${token}&lang=en`, undefined, { key: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Confirm the request');
    expect(page.text).toContain(`value="${token}"`);

    const form = await t.request('POST', '/public/verify', undefined, {
      key: null,
      raw: new URLSearchParams({ token, lang: 'en' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect(form.text).toContain('Your request is confirmed');
    const statusUrl = /href="([^"]+)"/
      .exec(form.text)![1]
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    const statusPath = new URL(statusUrl).pathname + new URL(statusUrl).search;
    const again = await t.request('POST', '/public/verify', { token }, { key: null });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_token');

    const status = await eventually(async () => {
      const r = await t.request('GET', statusPath, undefined, { key: null });
      if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
      return r.body.status === 'completed' ? r : null;
    }, 5000);
    expect(status.body).toMatchObject({ type: 'restriction', resolution: 'fulfilled', resultAvailable: false });
    expect(JSON.stringify(status.body)).not.toContain(s.email);
    // The status token opens only its own request.
    const other = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id });
    const statusToken = new URL(statusUrl).searchParams.get('token');
    const foreign = await t.request('GET', `/public/requests/${other.body.id}?token=${statusToken}`, undefined, {
      key: null,
    });
    expect(foreign.status).toBe(400);
    const wrongPurpose = await t.request('POST', '/public/verify', { token: statusToken }, { key: null });
    expect(wrongPurpose.status).toBe(400);
  });

  it('refuses expired links and links used too often', async () => {
    const s = await createSubject(t);
    await submit({ type: 'access', email: s.email });
    const token = await tokenFrom(s.email, /dostęp do danych/);
    await t.dataSource.query(
      `UPDATE request_tokens SET expires_at = now() - interval '1 second' WHERE request_id IN (SELECT id FROM requests WHERE subject_id = $1)`,
      [s.id],
    );
    const expired = await t.request('POST', '/public/verify', { token }, { key: null });
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('link_expired');
    const page = await t.request('GET', `/public/verify?token=${token}`, undefined, { key: null });
    expect(page.status).toBe(410);
    expect(page.text).toContain('Nieprawidłowy link');

    const s2 = await createSubject(t);
    await submit({ type: 'portability', email: s2.email });
    const token2 = await tokenFrom(s2.email, /przeniesienie danych/);
    for (let i = 0; i < 3; i++) {
      expect((await t.request('GET', `/public/verify?token=${token2}`, undefined, { key: null })).status).toBe(200);
    }
    const overused = await t.request('POST', '/public/verify', { token: token2 }, { key: null });
    expect(overused.status).toBe(400);
  });

  it('ends unverified requests rejected (identity_not_verified), telling only a held address', async () => {
    const known = await createSubject(t);
    const unknown = `ghost-${uniq()}@example.com`;
    const since = new Date();
    await submit({ type: 'erasure', email: known.email, locale: 'en' });
    await submit({ type: 'erasure', email: unknown, locale: 'en' });
    const rows = await rowsFor(since);
    await t.dataSource.query(`UPDATE requests SET created_at = created_at - interval '4 days' WHERE id = ANY($1)`, [
      rows.map((r) => r.id),
    ]);
    for (const r of rows) {
      const done = await waitForStatus(t, r.id, ['completed']);
      expect(done).toMatchObject({ resolution: 'rejected', resolutionCode: 'identity_not_verified' });
    }
    const mail = await eventually(async () => smtp.to(known.email).find((m) => m.subject.startsWith('We cannot act')));
    expect(mail.text).toContain('could not confirm');
    expect(mail.text).toContain('ul. Stawki 2');
    await sleep(500);
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it('folds a verified duplicate into the request already in work', async () => {
    const manual = await createSystem(t, {
      key: `paper-${uniq()}`,
      name: 'Paper',
      kind: 'manual',
      dataCategories: ['paper'],
      purposes: [],
    });
    try {
      const s = await createSubject(t);
      const first = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, verified: true });
      await waitForStatus(t, first.body.id, ['awaiting_recipients']);
      await submit({ type: 'access', email: s.email });
      const token = await tokenFrom(s.email, /dostęp do danych/);
      const v = await t.request('POST', '/public/verify', { token }, { key: null });
      expect(v.body).toMatchObject({ outcome: 'duplicate', requestId: first.body.id });
      const status = await t.request(
        'GET',
        `/public/requests/${first.body.id}?token=${v.body.statusToken}`,
        undefined,
        { key: null },
      );
      expect(status.body.status).toBe('awaiting_recipients');
      const dup = await t.request('GET', `/v1/requests?subjectId=${s.id}&status=cancelled`);
      expect(dup.body.items).toHaveLength(1);
      expect(dup.body.items[0]).toMatchObject({ duplicateOf: first.body.id, resolutionCode: 'duplicate' });
    } finally {
      await t.request('PATCH', `/v1/systems/${manual.key}`, { active: false });
    }
  });

  it('validates the body without echoing it', async () => {
    const bad = await submit({ type: 'access', email: 'x@example.com', extra: 1 });
    expect(bad.status).toBe(422);
    const noType = await submit({ email: 'secret-person@example.com' });
    expect(noType.status).toBe(422);
    expect(noType.text).not.toContain('secret-person');
  });
});

describe('requests: public routes are rate limited', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { PUBLIC_RATE_LIMIT_PER_MINUTE: 3 } });
  });
  afterAll(() => t?.close());

  it('answers 429 rate_limited past the limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(
        (await t.request('POST', '/public/requests', { type: 'access', email: `r${i}@example.com` }, { key: null }))
          .status,
      );
    }
    expect(codes.slice(0, 3)).toEqual([202, 202, 202]);
    expect(codes[4]).toBe(429);
    const page = await t.request('GET', '/public/verify?token=abc', undefined, { key: null });
    expect([400, 429]).toContain(page.status);
  });
});
