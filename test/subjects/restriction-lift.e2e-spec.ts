import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject } from '../requests/support';

/** Issue 13 item 4, Art. 18(3): a restriction is lifted only once the subject was told. */
describe('subjects: lifting a restriction after the notice', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  beforeAll(async () => {
    // The first delivery to a "busy" mailbox is refused for a while (451), so the wait is visible.
    smtp = await SmtpCatcher.start((address, attempt) =>
      address.startsWith('busy') && attempt === 1 ? { code: 451, message: '4.7.1 Try again later' } : undefined,
    );
    t = await startTestApp({ role: 'all', env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const restrict = async (id: string) =>
    expect((await t.request('POST', `/v1/subjects/${id}/restriction`, { reason: 'accuracy_contested' })).status).toBe(
      200,
    );
  const subject = async (id: string) => (await t.request('GET', `/v1/subjects/${id}`)).body;
  const audit = async (id: string) =>
    ((await t.request('GET', `/v1/audit?subjectId=${id}`)).body.items as { action: string; data: unknown }[])
      .slice()
      .reverse()
      .filter((e) => e.action.startsWith('subject.restrict'));

  it('queues the notice (202) and lifts only once it was sent, in the subject’s language', async () => {
    const s = await createSubject(t, { email: `busy.${Date.now()}@example.com`, locale: 'en' });
    await restrict(s.id);
    const res = await t.request('DELETE', `/v1/subjects/${s.id}/restriction`);
    expect(res.status).toBe(202);
    const noticeId = res.body.noticeId as string;
    expect(res.body.subject).toMatchObject({
      status: 'restricted',
      restriction: { reason: 'accuracy_contested', liftNotice: { id: noticeId, requestedAt: expect.any(String) } },
    });
    // Asked again while the notice is on its way: the same notice, nothing queued twice.
    const again = await t.request('DELETE', `/v1/subjects/${s.id}/restriction`);
    expect(again).toMatchObject({ status: 202, body: { noticeId } });

    // The mailbox refused the first delivery: not told yet, so still restricted.
    await eventually(async () => {
      const [row] = (await t.dataSource.query(`SELECT attempts, sent_at FROM outgoing_emails WHERE id = $1`, [
        noticeId,
      ])) as { attempts: number; sent_at: Date | null }[];
      return row.attempts >= 1 && !row.sent_at;
    });
    expect((await subject(s.id)).status).toBe('restricted');

    const lifted = await eventually(async () => {
      const v = await subject(s.id);
      return v.status === 'active' ? v : null;
    }, 20_000);
    expect(lifted.restriction).toBeNull();
    const [mail] = smtp.to(s.email);
    expect(mail.subject).toBe('The restriction of processing of your personal data is being lifted');
    expect(mail.text).toContain('Article 18(3)');
    expect(await audit(s.id)).toEqual([
      expect.objectContaining({ action: 'subject.restricted' }),
      expect.objectContaining({ action: 'subject.restriction_lift_requested', data: { noticeId } }),
      expect.objectContaining({ action: 'subject.restriction_lifted', data: { noticeId, toldBy: 'email' } }),
    ]);
  }, 30_000);

  it('keeps the restriction when it was restricted again before the notice went out', async () => {
    const s = await createSubject(t, { email: `busy.again.${Date.now()}@example.com` });
    await restrict(s.id);
    const { noticeId } = (await t.request('DELETE', `/v1/subjects/${s.id}/restriction`)).body;
    await restrict(s.id);
    expect((await subject(s.id)).restriction.liftNotice).toBeNull();
    await eventually(async () => {
      const [row] = (await t.dataSource.query(`SELECT sent_at FROM outgoing_emails WHERE id = $1`, [noticeId])) as {
        sent_at: Date | null;
      }[];
      return row.sent_at;
    }, 20_000);
    expect((await subject(s.id)).status).toBe('restricted');
  }, 30_000);

  it('for a subject without e-mail answers 409 restriction_notice_required unless staff say how they told them', async () => {
    const s = await createSubject(t, { email: undefined, phone: '+48 602 303 404' });
    await restrict(s.id);
    const refused = await t.request('DELETE', `/v1/subjects/${s.id}/restriction`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('restriction_notice_required');
    expect((await subject(s.id)).status).toBe('restricted');

    const toldAt = new Date().toISOString();
    for (const body of [
      { toldBy: 'phone' },
      { toldBy: 'fax', toldAt },
      { toldBy: 'phone', toldAt: toldAt.replace('Z', '') },
      { toldBy: 'phone', toldAt: new Date(Date.now() + 86_400_000).toISOString() },
      { toldBy: 'phone', toldAt: '2020-01-01T00:00:00Z' },
    ]) {
      const bad = await t.request('DELETE', `/v1/subjects/${s.id}/restriction`, body);
      expect(bad.status).toBe(422);
    }
    const lifted = await t.request('DELETE', `/v1/subjects/${s.id}/restriction`, { toldBy: 'phone', toldAt });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ status: 'active', restriction: null });
    expect((await audit(s.id)).pop()).toMatchObject({
      action: 'subject.restriction_lifted',
      data: { toldBy: 'phone', toldAt },
    });
    // Not restricted any more: nothing to lift.
    expect((await t.request('DELETE', `/v1/subjects/${s.id}/restriction`)).status).toBe(200);
  });
});
