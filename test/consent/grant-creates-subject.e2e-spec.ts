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
});
