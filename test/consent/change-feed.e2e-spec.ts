import { ChangeFeed } from '../../src/consent/change-feed.service';
import { ComingOfAge } from '../../src/subjects/coming-of-age.service';
import { startTestApp, TestApp } from '../support/test-app';
import { addAndPublish, createSubject, grant, publishedPurpose } from './consent-fixtures';

interface Change {
  cursor: string;
  type: string;
  subjectId: string;
  email?: string | null;
  externalId?: string;
  decisions: { purpose: string; channel: string; allowed: boolean; reason: string }[];
}

/**
 * Issue 14 item 2: one ordered feed of every change that can alter a decision, each carrying the subject's
 * decisions now, with no gap and no reordering under concurrent writers.
 */
describe('consent: the change feed', () => {
  let t: TestApp;
  let news: string;
  let readerKey: string;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'news', { channels: ['email', 'sms'] });
    const key = await t.request('POST', '/v1/api-keys', { name: 'mailer', scopes: ['consent:read'] });
    readerKey = key.body.key;
  });

  afterAll(() => t.close());

  /**
   * The changes after `after` for these subjects, paging until `count` of them came. A change shows once every
   * transaction older than it has finished, in any database of the cluster (other test files write meanwhile),
   * so it may take a moment.
   */
  async function readAll(
    subjects: Set<string>,
    after: string | undefined,
    count: number,
    key?: string,
    types?: string,
  ) {
    const seen: Change[] = [];
    let next = after;
    const deadline = Date.now() + 20_000;
    while (seen.length < count && Date.now() < deadline) {
      const q = new URLSearchParams({ limit: '50', ...(next ? { after: next } : {}), ...(types ? { types } : {}) });
      const page = await t.request('GET', `/v1/changes?${q}`, undefined, key ? { key } : {});
      expect(page.status).toBe(200);
      seen.push(...(page.body.changes as Change[]).filter((c) => subjects.has(c.subjectId)));
      next = page.body.next ?? next;
      if (!page.body.changes.length) await new Promise((r) => setTimeout(r, 50));
    }
    return { seen, next };
  }

  it("names the subject by the company's own external id, for any key that reads the feed", async () => {
    const externalId = `crm-${Date.now()}`;
    const id = await createSubject(t, { externalId });
    const start = (await t.request('GET', '/v1/changes?limit=1000')).body.next;
    expect((await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() })).status).toBe(201);
    const { seen } = await readAll(new Set([id]), start, 1, readerKey);
    expect(seen[0]).toMatchObject({ type: 'consent_granted', subjectId: id, externalId });
    expect(seen[0]).not.toHaveProperty('email');
    const { seen: full } = await readAll(new Set([id]), start, 1);
    expect(full[0]).toMatchObject({ externalId, email: expect.stringContaining('@') });
  });

  it('carries each change with the decisions it leaves, contacts only for keys that may see them', async () => {
    const id = await createSubject(t);
    const start = (await t.request('GET', '/v1/changes?limit=1000')).body.next;
    const mine = new Set([id]);
    // Decisions are as of reading: a reader that keeps up sees each change's outcome.
    expect((await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() })).status).toBe(201);
    const first = await readAll(mine, start, 1);
    expect(first.seen.map((c) => c.type)).toEqual(['consent_granted']);
    expect(first.seen[0].decisions).toEqual([{ purpose: news, channel: 'email', allowed: true, reason: 'granted' }]);
    expect(first.seen[0]).toHaveProperty('email');

    expect((await t.request('POST', `/v1/subjects/${id}/restriction`, { reason: 'accuracy_contested' })).status).toBe(
      200,
    );
    const second = await readAll(mine, first.next, 1);
    expect(second.seen.map((c) => c.type)).toEqual(['restriction_placed']);
    expect(second.seen[0].decisions.filter((d) => d.purpose === news)).toEqual([
      { purpose: news, channel: 'email', allowed: false, reason: 'restricted' },
      { purpose: news, channel: 'sms', allowed: false, reason: 'restricted' },
    ]);

    expect((await t.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:test' })).status).toBe(204);
    // One that reads late gets every change in order, each with the decisions that stand now.
    const { seen } = await readAll(mine, start, 3);
    expect(seen.map((c) => c.type)).toEqual(['consent_granted', 'restriction_placed', 'erasure']);
    expect(seen.flatMap((c) => c.decisions).every((d) => !d.allowed && d.reason === 'erased')).toBe(true);
    // The admin key may read subjects: the change names the address (null once erased); a consent:read key not.
    const { seen: bare } = await readAll(new Set([id]), start, 3, readerKey);
    expect(bare).toHaveLength(3);
    expect(bare[0]).not.toHaveProperty('email');

    // Erased: no identifier is left to name, the external id included.
    expect(bare[2]).not.toHaveProperty('externalId');

    const filtered = await t.request('GET', `/v1/changes?${start ? `after=${start}&` : ''}types=erasure&limit=1000`);
    expect(filtered.body.changes.filter((c: Change) => c.subjectId === id).map((c: Change) => c.type)).toEqual([
      'erasure',
    ]);
  });

  it('lists everyone whose grant stops counting when a text requires re-consent', async () => {
    const purpose = await publishedPurpose(t, 'reconsent', { channels: ['email'] });
    const id = await createSubject(t);
    expect((await t.request('POST', `/v1/subjects/${id}/consents`, { purpose, ...grant() })).status).toBe(201);
    const start = (await t.request('GET', '/v1/changes?limit=1000&types=reconsent_required')).body.next;
    await addAndPublish(t, purpose, true);
    // The grant's own change may become visible after `start` was read (it shows once every older transaction
    // of the cluster has finished), so read this type only.
    const { seen } = await readAll(new Set([id]), start, 1, undefined, 'reconsent_required');
    expect(seen.map((c) => c.type)).toEqual(['reconsent_required']);
    expect(seen.find((c) => c.type === 'reconsent_required')!.decisions).toEqual([
      { purpose, channel: 'email', allowed: false, reason: 'reconsent_required' },
    ]);
  });

  it('reads every change exactly once while 32 writers commit in any order', async () => {
    const writers = 32;
    const perWriter = 6;
    const ids = await Promise.all(Array.from({ length: writers }, () => createSubject(t)));
    const subjects = new Set(ids);
    const start = (await t.request('GET', '/v1/changes?limit=1000')).body.next;
    let writing = true;
    const cursors: string[] = [];
    const reader = (async () => {
      let next = start;
      // Keep paging while the writers run, and a while after, until every change has come.
      const deadline = () => Date.now() + 30_000;
      let until = deadline();
      while (Date.now() < until) {
        const page = await t.request('GET', `/v1/changes?${next ? `after=${next}&` : ''}limit=20`, undefined, {
          key: readerKey,
        });
        for (const c of page.body.changes as Change[]) if (subjects.has(c.subjectId)) cursors.push(c.cursor);
        next = page.body.next ?? next;
        if (!writing && cursors.length >= writers * perWriter) return;
        if (writing) until = deadline();
        if (!page.body.changes.length) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < perWriter; i++) {
          const decision = i % 2 ? 'withdrawn' : 'granted';
          const res = await t.request('POST', `/v1/subjects/${id}/consents`, {
            purpose: news,
            ...grant({ decision, channel: i % 3 ? 'email' : 'sms' }),
          });
          expect(res.status).toBe(201);
        }
      }),
    );
    writing = false;
    await reader;
    expect(cursors).toHaveLength(writers * perWriter);
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('refuses a cursor it did not give (400) and one older than it keeps (410)', async () => {
    const bad = await t.request('GET', '/v1/changes?after=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
    const old = Buffer.from(`1.1.${Date.parse('2020-01-01T00:00:00Z')}`).toString('base64url');
    const gone = await t.request('GET', `/v1/changes?after=${old}`);
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('cursor_expired');
    expect((await t.request('GET', '/v1/changes?types=nonsense')).status).toBe(422);
  });

  it('announces a subject who came of age, once, and forgets the stored birthday', async () => {
    const birthDate = new Date(Date.now() - 15 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    const id = await createSubject(t, { birthDate });
    const [row] = (await t.dataSource.query(`SELECT minor_until FROM subjects WHERE id = $1`, [id])) as {
      minor_until: string | null;
    }[];
    expect(row.minor_until).not.toBeNull();
    // Their 16th birthday was yesterday.
    await t.dataSource.query(`UPDATE subjects SET minor_until = current_date - 1 WHERE id = $1`, [id]);
    const start = (await t.request('GET', '/v1/changes?limit=1000&types=came_of_age')).body.next;
    expect((await t.get(ComingOfAge).sweep()).cameOfAge).toBeGreaterThanOrEqual(1);
    expect((await t.get(ComingOfAge).sweep()).cameOfAge).toBe(0);
    const { seen } = await readAll(new Set([id]), start, 1);
    expect(seen.map((c) => c.type)).toEqual(['came_of_age']);
    expect(seen[0].decisions.find((d) => d.purpose === news)).toMatchObject({ allowed: false, reason: 'no_consent' });
    const [after] = (await t.dataSource.query(`SELECT minor_until FROM subjects WHERE id = $1`, [id])) as {
      minor_until: string | null;
    }[];
    expect(after.minor_until).toBeNull();
  });

  it('deletes changes older than CHANGES_RETENTION_DAYS', async () => {
    const id = await createSubject(t);
    expect((await t.request('POST', `/v1/subjects/${id}/consents`, { purpose: news, ...grant() })).status).toBe(201);
    await t.dataSource.query(
      `UPDATE consent_changes SET occurred_at = now() - interval '91 days' WHERE subject_id = $1`,
      [id],
    );
    expect((await t.get(ChangeFeed).purgeExpired()).deleted).toBe(1);
    const left = (await t.dataSource.query(`SELECT count(*)::int AS n FROM consent_changes WHERE subject_id = $1`, [
      id,
    ])) as { n: number }[];
    expect(left[0].n).toBe(0);
  });
});
