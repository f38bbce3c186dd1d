import { Clock } from '../../src/common/clock/clock';
import { ConsentExpiryService } from '../../src/retention/consent-expiry.service';
import { createSubject, grant, publishedPurpose } from '../consent/consent-fixtures';
import { eventually, startTestApp, TestApp } from '../support/test-app';

const YEAR = 365.25 * 24 * 3600 * 1000;

describe('retention: consent given for a limited time expires on schedule', () => {
  let t: TestApp;
  let news: string;
  const check = (subjectId: string) =>
    t.request('GET', `/v1/consents/check?purpose=${news}&channel=email&subjectId=${subjectId}`);
  const status = async (subjectId: string) =>
    (
      (await t.request('GET', `/v1/subjects/${subjectId}/consents`)).body.items as {
        purpose: string;
        channel: string;
        status: string;
      }[]
    ).find((i) => i.purpose === news && i.channel === 'email')?.status;

  beforeAll(async () => {
    t = await startTestApp({
      role: 'all',
      // every second, so the test sees the schedule at work without waiting for the five-minute default
      env: { RETENTION_CONSENT_EXPIRY_CRON: '* * * * * *', RETENTION_SWEEP_CRON: 'off' },
    });
    news = await publishedPurpose(t, 'expiring');
  });
  afterAll(() => t.close());

  it('the decision says no from the instant of expiry; the sweep records and audits each expiry once', async () => {
    const brief = await createSubject(t);
    const lasting = await createSubject(t);
    const expiresAt = new Date(Date.now() + 1500);
    const g = await t.request('POST', `/v1/subjects/${brief}/consents`, {
      purpose: news,
      ...grant({ expiresAt: expiresAt.toISOString() }),
    });
    expect(g.status).toBe(201);
    expect((await t.request('POST', `/v1/subjects/${lasting}/consents`, { purpose: news, ...grant() })).status).toBe(
      201,
    );
    const before = await check(brief);
    // Checked before the instant passes; if the machine was too slow to get here in time, the rest still holds.
    if (Date.now() < expiresAt.getTime()) expect(before.body).toMatchObject({ allowed: true, reason: 'granted' });

    const after = await eventually(async () => {
      const r = await check(brief);
      return r.body.allowed === false ? r.body : null;
    }, 10_000);
    expect(after).toMatchObject({ allowed: false, reason: 'expired' });
    expect(await status(brief)).toBe('expired');
    expect((await check(lasting)).body).toMatchObject({ allowed: true });

    const audited = await eventually(async () => {
      const r = await t.request('GET', `/v1/audit?action=consent.expired&subjectId=${brief}`);
      return r.body.items.length ? r.body.items : null;
    }, 10_000);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      target: { type: 'consent', id: g.body.id },
      data: { purpose: news, channel: 'email', expiresAt: expiresAt.toISOString() },
    });

    // Once per grant: another occurrence (here called directly) finds nothing new.
    expect(await t.get(ConsentExpiryService).sweep()).toEqual({ expired: 0 });
    const all = await t.request('GET', '/v1/audit?action=consent.expired&limit=50');
    expect(all.body.items.map((a: { subjectId: string }) => a.subjectId)).toEqual([brief]);
    // Issue 14 item 2: the expiry is in the change feed, once, with the decision it leaves.
    const feed = await eventually(async () => {
      const r = await t.request('GET', '/v1/changes?types=consent_expired&limit=1000');
      const mine = r.body.changes.filter((c: { subjectId: string }) => c.subjectId === brief);
      return mine.length ? mine : null;
    }, 10_000);
    expect(feed).toHaveLength(1);
    expect(feed[0].decisions).toEqual([{ purpose: news, channel: 'email', allowed: false, reason: 'expired' }]);
  });

  it('retention counts from the expiry: a consent-ended policy falls due a period after it', async () => {
    const created = await t.request('POST', '/v1/retention/policies', {
      key: 'news-proof',
      purpose: news,
      trigger: 'consent_withdrawn',
      period: 'P1Y',
      action: 'erase',
      legalBasis: 'art. 7 ust. 1 RODO',
    });
    expect(created.status).toBe(201);
    const dryRun = async () => {
      const id = (await t.request('POST', '/v1/retention/runs', { dryRun: true })).body.id as string;
      return eventually(async () => {
        const r = await t.request('GET', `/v1/retention/runs/${id}?limit=50`);
        return r.body.status === 'completed' ? r.body : null;
      }, 20_000);
    };
    expect((await dryRun()).matched).toBe(0);
    t.get(Clock).set(new Date(Date.now() + 1.5 * YEAR));
    const later = await dryRun();
    expect(later).toMatchObject({ matched: 1, processed: 1 });
    expect(later.affected.items).toEqual([
      expect.objectContaining({ policy: 'news-proof', purpose: news, outcome: 'would_erase' }),
    ]);
  });
});
