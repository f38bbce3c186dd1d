import { DecisionLog } from '../../src/consent/decision-log.service';
import { startTestApp, TestApp } from '../support/test-app';
import { grant, publishedPurpose, uniqueEmail } from './consent-fixtures';
import { checkedFetch } from '../support/contract';

/**
 * Issue 14 item 3: a company proves it checked before it sent. A decision asked for with `record` (or by a key
 * that records always) is kept before it is answered, and can be read back by its id; a batch keeps its counts
 * and each answer by input position. Nothing the caller sent (e-mails) is kept, only subject ids.
 */
describe('consent: the decision log', () => {
  let t: TestApp;
  let news: string;
  let granted: { email: string; subjectId: string; consentId: string };

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'news', { channels: ['email'] });
    const email = uniqueEmail();
    const g = await t.request('POST', '/v1/consents', { purpose: news, subject: { email }, ...grant() });
    expect(g.status).toBe(201);
    granted = { email, subjectId: g.body.subjectId, consentId: g.body.id };
  });

  afterAll(() => t.close());

  const check = (query: string, key?: string) =>
    t.request('GET', `/v1/consents/check?purpose=${news}&channel=email&${query}`, undefined, key ? { key } : {});

  it('keeps a single decision asked for with record=true, and only then', async () => {
    const recorded = await check(`email=${encodeURIComponent(granted.email)}&record=true`);
    expect(recorded.status).toBe(200);
    expect(recorded.body.allowed).toBe(true);
    const kept = await t.request('GET', `/v1/decisions/${recorded.body.decisionId}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({
      id: recorded.body.decisionId,
      kind: 'single',
      purpose: news,
      channel: 'email',
      subjectId: granted.subjectId,
      allowed: true,
      reason: recorded.body.reason,
      consentId: granted.consentId,
      principal: expect.stringMatching(/^api_key:/),
    });
    expect(JSON.stringify(kept.body)).not.toContain(granted.email);

    const unrecorded = await check(`email=${encodeURIComponent(granted.email)}`);
    const missing = await t.request('GET', `/v1/decisions/${unrecorded.body.decisionId}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('decision_not_found');
    expect((await check(`email=x%40example.com&record=maybe`)).status).toBe(422);
  });

  it('keeps a batch: its counts, and each answer at its input position', async () => {
    const stranger = uniqueEmail();
    const res = await t.request('POST', '/v1/consents/check', {
      purpose: news,
      channel: 'email',
      emails: [granted.email, stranger],
      record: true,
    });
    expect(res.status).toBe(200);
    const head = await t.request('GET', `/v1/decisions/${res.body.decisionId}`);
    expect(head.body).toMatchObject({ kind: 'batch', total: 2, allowed: 1, denied: 1 });
    const results = await checkedFetch(`${t.baseUrl}/v1/decisions/${res.body.decisionId}/results`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(results.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await results.text();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        n: 0,
        subjectId: granted.subjectId,
        allowed: true,
        reason: res.body.results[0].reason,
        consentId: granted.consentId,
      },
      { n: 1, subjectId: null, allowed: false, reason: res.body.results[1].reason, consentId: null },
    ]);
    expect(text).not.toContain(stranger);
  });

  it('records every decision of a key set to record always, and every one of many concurrent calls', async () => {
    const created = await t.request('POST', '/v1/api-keys', {
      name: 'mailer',
      scopes: ['consent:read'],
      recordDecisions: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.recordDecisions).toBe(true);
    const ids = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const r = await check(`email=${encodeURIComponent(granted.email)}`, created.body.key);
        expect(r.status).toBe(200);
        return r.body.decisionId as string;
      }),
    );
    const rows = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM consent_decisions WHERE id = ANY($1::uuid[]) AND principal = $2`,
      [ids, `api_key:${created.body.id}`],
    )) as { n: number }[];
    expect(rows[0].n).toBe(40);
  });

  it('deletes recorded decisions past DECISION_LOG_RETENTION_DAYS, answers included', async () => {
    const old = await t.request('POST', '/v1/consents/check', {
      purpose: news,
      channel: 'email',
      emails: [granted.email],
      record: true,
    });
    const fresh = await check(`email=${encodeURIComponent(granted.email)}&record=true`);
    await t.dataSource.query(`UPDATE consent_decisions SET decided_at = now() - interval '1100 days' WHERE id = $1`, [
      old.body.decisionId,
    ]);
    const { deleted } = await t.get(DecisionLog).purgeExpired();
    expect(deleted).toBe(1);
    expect((await t.request('GET', `/v1/decisions/${old.body.decisionId}`)).status).toBe(404);
    const orphans = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM consent_decision_results WHERE decision_id = $1`,
      [old.body.decisionId],
    )) as { n: number }[];
    expect(orphans[0].n).toBe(0);
    expect((await t.request('GET', `/v1/decisions/${fresh.body.decisionId}`)).status).toBe(200);
  });
});
