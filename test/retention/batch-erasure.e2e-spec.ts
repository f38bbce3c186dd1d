import { DataSource } from 'typeorm';
import { SubjectHooks } from '../../src/subjects/subject-hooks';
import { SubjectLifecycleService } from '../../src/subjects/subject-lifecycle.service';
import { SubjectLookupService } from '../../src/subjects/subject-lookup.service';
import { grant, publishedPurpose, uniqueEmail } from '../consent/consent-fixtures';
import { eventually, startTestApp, TestApp } from '../support/test-app';

// The batched crypto-shredding retention runs use (SubjectLifecycleService.eraseMany): the effects of erasing each
// subject on its own, in a constant number of statements per batch.
describe('retention: batched erasure', () => {
  let t: TestApp;
  let subjects: SubjectLookupService;
  let lifecycle: SubjectLifecycleService;
  let news: string;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    subjects = t.get(SubjectLookupService);
    lifecycle = t.get(SubjectLifecycleService);
    news = await publishedPurpose(t, 'batch-news');
  });
  afterAll(() => t.close());

  async function person(phone?: string): Promise<{ id: string; email: string }> {
    const email = uniqueEmail('batch');
    const res = await t.request('POST', '/v1/subjects', { email, ...(phone ? { phone } : {}), firstName: 'Ewa' });
    expect(res.status).toBe(201);
    return { id: res.body.id, email };
  }

  const rows = async (sql: string, ids: string[]) => ((await t.dataSource.query(sql, [ids])) as { n: number }[])[0].n;

  /** Runs `eraseMany` in a transaction, counting the statements it sends. */
  async function eraseCounting(targets: { subjectId: string; reason: string; suppress: boolean }[], reveal?: string[]) {
    let statements = 0;
    const outcome = await t.get(DataSource).transaction(async (m) => {
      const runner = m.queryRunner!;
      const query = runner.query.bind(runner);
      runner.query = ((...args: Parameters<typeof query>) => {
        statements += 1;
        return query(...args);
      }) as typeof runner.query;
      try {
        return await lifecycle.eraseMany(m, targets, reveal ? new Set(reveal) : undefined);
      } finally {
        runner.query = query;
      }
    });
    return { outcome, statements };
  }

  it('erases, anonymises and skips as one erasure each would, with one audit entry per subject', async () => {
    const a = await person('+48 600 100 200');
    const b = await person();
    const anon = await person();
    const held = await person();
    const gone = await person();
    expect(
      (
        await t.request('POST', `/v1/subjects/${a.id}/consents`, {
          purpose: news,
          ...grant({ evidence: { ip: '198.51.100.7', userAgent: 'UA/1' } }),
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.request('POST', `/v1/subjects/${held.id}/holds`, {
          reason: 'Spór I C 1/25',
          legalBasis: 'legal_claims',
        })
      ).status,
    ).toBe(201);
    await lifecycle.erase(gone.id, 'test:before');

    const { outcome } = await eraseCounting(
      [
        { subjectId: a.id, reason: 'retention:contact', suppress: true },
        { subjectId: held.id, reason: 'retention:contact', suppress: true },
        { subjectId: b.id, reason: 'retention:contact', suppress: true },
        { subjectId: gone.id, reason: 'retention:contact', suppress: true },
        { subjectId: anon.id, reason: 'retention:stale', suppress: false },
      ],
      [a.id, anon.id],
    );
    expect(outcome.erased).toEqual([a.id, b.id, anon.id]);
    expect(outcome.held).toEqual([held.id]);
    expect(outcome.gone).toEqual([gone.id]);
    expect(outcome.failed.size).toBe(0);
    // Read before the key went, in profile order, for the Art. 19 notices.
    expect(outcome.revealed.get(a.id)).toEqual([
      { kind: 'email', value: a.email, system: null },
      { kind: 'phone', value: '+48600100200', system: null },
    ]);
    expect(outcome.revealed.get(anon.id)).toEqual([{ kind: 'email', value: anon.email, system: null }]);
    expect(outcome.revealed.has(b.id)).toBe(false);

    const done = [a.id, b.id, anon.id];
    expect(await rows(`SELECT count(*)::int AS n FROM subjects WHERE id = ANY($1) AND status = 'erased'`, done)).toBe(
      3,
    );
    expect(await rows('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = ANY($1)', done)).toBe(0);
    expect(await rows('SELECT count(*)::int AS n FROM subject_identifiers WHERE subject_id = ANY($1)', done)).toBe(0);
    expect(await rows('SELECT count(*)::int AS n FROM consent_evidence WHERE subject_id = ANY($1)', [a.id])).toBe(0);
    // The held subject is untouched (Art. 17(3)).
    expect(await subjects.findIdByIdentifier('email', held.email)).toBe(held.id);
    // Suppression: erase keeps the hashes, anonymise does not.
    expect(await subjects.isSuppressed('email', a.email)).toBe(true);
    expect(await subjects.isSuppressed('phone', '+48 600 100 200')).toBe(true);
    expect(await subjects.isSuppressed('email', b.email)).toBe(true);
    expect(await subjects.isSuppressed('email', anon.email)).toBe(false);

    const audit = async (action: string, id: string) =>
      (await t.request('GET', `/v1/audit?action=${action}&subjectId=${id}`)).body.items;
    expect(await audit('subject.erased', a.id)).toEqual([
      expect.objectContaining({
        reason: 'retention:contact',
        data: { identifiers: 2, suppressed: 2, followedBy: expect.arrayContaining(['consent', 'requests']) },
      }),
    ]);
    expect(await audit('subject.erased', b.id)).toHaveLength(1);
    expect(await audit('subject.anonymised', anon.id)).toEqual([
      expect.objectContaining({ reason: 'retention:stale', data: expect.objectContaining({ suppressed: 0 }) }),
    ]);
    expect(await audit('subject.erased', held.id)).toEqual([]);
    expect(await audit('subject.erased', gone.id)).toHaveLength(1);
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);

    // Idempotent: the same batch again finds nothing to do.
    const again = await eraseCounting(
      done.map((id) => ({ subjectId: id, reason: 'retention:contact', suppress: true })),
    );
    expect(again.outcome).toMatchObject({ erased: [], gone: done });
  });

  it('sends the same number of statements for 2 subjects as for 20', async () => {
    const small = await Promise.all([person('+48 600 200 001'), person()]);
    const large = await Promise.all(
      Array.from({ length: 20 }, (_, i) => person(i % 2 ? `+48 600 300 ${String(i).padStart(3, '0')}` : undefined)),
    );
    const erase = (ps: { id: string }[]) =>
      eraseCounting(ps.map((p) => ({ subjectId: p.id, reason: 'retention:contact', suppress: true })));
    const two = await erase(small);
    const twenty = await erase(large);
    expect(two.outcome.erased).toHaveLength(2);
    expect(twenty.outcome.erased).toHaveLength(20);
    // lock, holds, identifiers, keys, suppressions, 4 shredding statements, the hooks', the audit append's
    expect(two.statements).toBeGreaterThanOrEqual(12);
    expect(twenty.statements).toBe(two.statements);
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);
  });
});

describe('retention: a batch whose set-based erasure fails', () => {
  let t: TestApp;
  let faulty: string | null = null;
  beforeAll(async () => {
    t = await startTestApp({
      role: 'all',
      env: { RETENTION_SWEEP_CRON: 'off', RETENTION_CONSENT_EXPIRY_CRON: 'off' },
    });
    // A module whose erasure hook cannot cope with one subject (a constraint, a bug): it throws.
    t.get(SubjectHooks).onErasedMany('test-faulty', async (_m, events) => {
      if (events.some((e) => e.subjectId === faulty)) throw new Error('hook failed');
    });
  });
  afterAll(() => t.close());

  it('is done again one subject at a time: only the subject at fault fails, the run goes on', async () => {
    expect(
      (
        await t.request('POST', '/v1/retention/policies', {
          key: 'contact',
          dataCategory: 'contact_data',
          trigger: 'last_activity',
          period: 'P2Y',
          action: 'erase',
          legalBasis: 'art. 6 ust. 1 lit. f RODO',
        })
      ).status,
    ).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.request('POST', '/v1/subjects', { email: uniqueEmail('stale') });
      ids.push(res.body.id);
    }
    // Seeding only: the records' last activity is moved back instead of time passing.
    await t.dataSource.query(`UPDATE subjects SET last_activity_at = now() - interval '3 years' WHERE id = ANY($1)`, [
      ids,
    ]);
    faulty = ids[1];
    const started = await t.request('POST', '/v1/retention/runs', {});
    expect(started.status).toBe(202);
    const run = await eventually(async () => {
      const r = await t.request('GET', `/v1/retention/runs/${started.body.id}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 30_000);
    expect(run).toMatchObject({ matched: 3, processed: 2, failed: 1 });
    const status = (await t.dataSource.query('SELECT id, status FROM subjects WHERE id = ANY($1) ORDER BY id', [
      ids,
    ])) as { id: string; status: string }[];
    expect(Object.fromEntries(status.map((r) => [r.id, r.status]))).toEqual({
      [ids[0]]: 'erased',
      [ids[1]]: 'active',
      [ids[2]]: 'erased',
    });
    const items = await t.request('GET', `/v1/retention/runs/${started.body.id}/items?outcome=failed`);
    expect(items.body.items.map((i: { subjectId: string }) => i.subjectId)).toEqual([faulty]);
    // Nothing of the failed attempts was kept: one erasure audited for each subject erased, none for the other.
    const erased = await t.request('GET', '/v1/audit?action=subject.erased&limit=50');
    expect(erased.body.items.map((a: { subjectId: string }) => a.subjectId).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);
  });
});
