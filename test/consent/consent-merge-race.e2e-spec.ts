import { Client } from 'pg';
import { CONSENT_LOCK_NAMESPACE } from '../../src/consent/consent.repository';
import { eventually, HttpResult, startTestApp, TestApp } from '../support/test-app';
import { createSubject, grant, publishedPurpose } from './consent-fixtures';

/**
 * A withdrawal for a record that is being merged away. The write resolved the subject before its
 * transaction; the merge folds the merged record's consent states into the survivor. The test holds the
 * write at its consent lock, lets the merge run as far as it can, then lets the write go: the survivor
 * must end with the withdrawal, and nothing may be left under the merged id.
 */
describe('consent: a subject merge racing a consent write', () => {
  let t: TestApp;
  let db: Client;
  let purpose: string;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    db = new Client({ connectionString: t.env.DATABASE_URL });
    await db.connect();
    purpose = await publishedPurpose(t, 'race', { marketing: true });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const waiting = async (event: string) => {
    const rows = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = $1`,
      [event],
    );
    return rows.rows[0].n as number;
  };

  it('ends with the withdrawal on the survivor, whichever commits first', async () => {
    const survivor = await createSubject(t);
    const merged = await createSubject(t);
    expect((await t.request('POST', `/v1/subjects/${merged}/consents`, { purpose, ...grant() })).status).toBe(201);

    await db.query('SELECT pg_advisory_lock($1, hashtext($2))', [CONSENT_LOCK_NAMESPACE, `${merged}|${purpose}|email`]);
    let withdrawal: Promise<HttpResult> | undefined;
    let merge: Promise<HttpResult> | undefined;
    let mergeDone = false;
    try {
      withdrawal = t.request('POST', `/v1/subjects/${merged}/consents`, {
        purpose,
        ...grant({ decision: 'withdrawn' }),
      });
      await eventually(async () => (await waiting('advisory')) === 1);
      merge = t.request('POST', `/v1/subjects/${survivor}/merge`, { mergedId: merged });
      void merge.then(() => (mergeDone = true));
      // Either the merge completes while the write waits (the race), or it waits for the write's lock
      // on the subject (the fix); in both cases the write is released only after.
      await eventually(async () => mergeDone || (await waiting('transactionid')) + (await waiting('tuple')) > 0);
    } finally {
      await db.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        CONSENT_LOCK_NAMESPACE,
        `${merged}|${purpose}|email`,
      ]);
    }
    expect((await withdrawal!).status).toBe(201);
    expect((await merge!).status).toBe(200);

    const decision = await t.request(
      'GET',
      `/v1/consents/check?purpose=${purpose}&channel=email&subjectId=${survivor}`,
    );
    expect(decision.body).toMatchObject({ allowed: false, reason: 'withdrawn' });
    const orphans = await db.query('SELECT count(*)::int AS n FROM consent_state WHERE subject_id = $1', [merged]);
    expect(orphans.rows[0].n).toBe(0);
    const history = await t.request('GET', `/v1/subjects/${survivor}/consents/history`);
    expect(history.body.items.map((e: { decision: string }) => e.decision)).toEqual(['granted', 'withdrawn']);
  });
});
