import { startTestApp, TestApp } from '../support/test-app';
import { grant, publishedPurpose, uniqueEmail } from './consent-fixtures';

/*
 * Issue 25 item 12: a grant by e-mail for someone unknown creates the subject. The subject and its event commit
 * together: when the event cannot be written, no subject holding the address is left behind (personal data kept
 * with no purpose), and a retry creates both.
 */
describe('consent: a grant that creates its subject is one transaction', () => {
  let t: TestApp;
  let news: string;

  beforeAll(async () => {
    t = await startTestApp();
    news = await publishedPurpose(t, 'atomic');
  });

  afterAll(() => t.close());

  it('leaves no subject when the event fails, and creates both on the retry', async () => {
    const email = uniqueEmail('atomic');
    // The fault is injected in this test's own database: the consent event's INSERT fails after the subject's.
    await t.asOwner(`
      CREATE FUNCTION refuse_consent_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE TRIGGER refuse_consent_event BEFORE INSERT ON consent_events
        FOR EACH ROW EXECUTE FUNCTION refuse_consent_event();`);
    // Read raw: a failing database is not a documented answer of the contract.
    const failed = await fetch(`${t.baseUrl}/v1/consents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: news, subject: { email }, ...grant() }),
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const none = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`);
    expect(none.body.items).toEqual([]);

    await t.asOwner('DROP TRIGGER refuse_consent_event ON consent_events; DROP FUNCTION refuse_consent_event();');
    const retried = await t.request('POST', '/v1/consents', { purpose: news, subject: { email }, ...grant() });
    expect(retried.status).toBe(201);
    expect(retried.body.subjectCreated).toBe(true);
    const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`);
    expect(found.body.items.map((s: { id: string }) => s.id)).toEqual([retried.body.subjectId]);
  });

  it('finds the subject by external id before e-mail; an external id two systems share names nobody', async () => {
    const ext = `EXT-${Date.now().toString(36)}`;
    const email = uniqueEmail('precedence');
    const byExt = (await t.request('POST', '/v1/subjects', { externalId: ext, externalSystem: 'shop' })).body.id;
    const byEmail = (await t.request('POST', '/v1/subjects', { email })).body.id;
    const first = await t.request('POST', '/v1/consents', {
      purpose: news,
      subject: { externalId: ext, email },
      ...grant(),
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ subjectId: byExt, subjectCreated: false });

    await t.request('POST', '/v1/subjects', { externalId: ext, externalSystem: 'crm' });
    const second = await t.request('POST', '/v1/consents', {
      purpose: news,
      subject: { externalId: ext, email },
      ...grant(),
    });
    expect(second.body).toMatchObject({ subjectId: byEmail, subjectCreated: false });
  });

  it('concurrent grants for one unknown e-mail create one subject and record every grant on it', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.request('POST', '/v1/consents', { purpose: news, subject: { email }, ...grant() }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(answers.filter((a) => a.body.subjectCreated)).toHaveLength(1);
    const ids = new Set(answers.map((a) => a.body.subjectId));
    expect(ids.size).toBe(1);
    const [subjectId] = [...ids];
    const [{ n }] = await t.asOwner<{ n: string }>('SELECT count(*) AS n FROM consent_events WHERE subject_id = $1', [
      subjectId,
    ]);
    expect(Number(n)).toBe(6);
    const [state] = await t.asOwner<{ event_id: string; last_seq: string }>(
      'SELECT event_id, last_seq FROM consent_state WHERE subject_id = $1',
      [subjectId],
    );
    // The state rests on the last event recorded, whichever request it came from, and names that event's seq (the
    // event, its state and its change row are written by one statement).
    const [last] = await t.asOwner<{ id: string; seq: string }>(
      'SELECT id, seq FROM consent_events WHERE subject_id = $1 ORDER BY seq DESC LIMIT 1',
      [subjectId],
    );
    expect(state).toEqual({ event_id: last.id, last_seq: last.seq });
    const [{ changes }] = await t.asOwner<{ changes: string }>(
      `SELECT count(*) AS changes FROM consent_changes WHERE subject_id = $1 AND type = 'consent_granted'`,
      [subjectId],
    );
    expect(Number(changes)).toBe(6);
  });
});
