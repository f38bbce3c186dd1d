import { computeDueDate } from '../../src/requests/legal-clock';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { publishedPurpose } from '../consent/consent-fixtures';
import { createSubject, waitForStatus } from './support';

const DAY = 24 * 3600 * 1000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

/** Staff intake, the legal clock and the state machine (Art. 12), with real e-mail delivery. */
describe('requests: intake, legal clock and lifecycle', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ role: 'all', env: { SMTP_URL: smtp.url, PUBLIC_RATE_LIMIT_PER_MINUTE: 1000 } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const transitions = async (id: string) =>
    (
      (await t.dataSource.query(
        `SELECT data FROM audit_log WHERE action = 'request.status_changed' AND target_id = $1 ORDER BY seq`,
        [id],
      )) as { data: { from: string; to: string } }[]
    ).map((a) => `${a.data.from}>${a.data.to}`);

  it('validates the intake: one way to name the subject, no receipt in the future, known subjects only', async () => {
    const s = await createSubject(t);
    const future = await t.request('POST', '/v1/requests', {
      type: 'access',
      subjectId: s.id,
      receivedAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(future.status).toBe(422);
    expect(future.body.errors).toEqual([{ field: 'receivedAt', message: 'receivedAt may not lie in the future' }]);
    const both = await t.request('POST', '/v1/requests', {
      type: 'access',
      subjectId: s.id,
      identity: { email: s.email },
    });
    expect(both.status).toBe(422);
    const unknown = await t.request('POST', '/v1/requests', {
      type: 'access',
      identity: { email: 'nobody-here@example.com' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown_subject');
    expect(JSON.stringify(unknown.body)).not.toContain('nobody-here');
    const noChanges = await t.request('POST', '/v1/requests', { type: 'rectification', subjectId: s.id });
    expect(noChanges.status).toBe(422);
    const badField = await t.request('POST', '/v1/requests', {
      type: 'rectification',
      subjectId: s.id,
      changes: { status: 'x' },
    });
    expect(badField.body.errors).toEqual([{ field: 'changes.status', message: 'status cannot be rectified here' }]);
    const badType = await t.request('POST', '/v1/requests', { type: 'deletion', subjectId: s.id });
    expect(badType.status).toBe(422);
    const readOnly = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['requests:read'] });
    const denied = await t.request(
      'POST',
      '/v1/requests',
      { type: 'access', subjectId: s.id },
      { key: readOnly.body.key },
    );
    expect(denied.status).toBe(403);
  });

  it('computes dueAt from receipt, explains it, and groups a second open request of the same type', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const receivedAt = daysAgo(3);
    const created = await t.request('POST', '/v1/requests', {
      type: 'access',
      identity: { email: s.email },
      receivedAt,
    });
    expect(created.status).toBe(201);
    const expected = computeDueDate(new Date(receivedAt));
    expect(created.body).toMatchObject({
      type: 'access',
      status: 'awaiting_verification',
      subjectId: s.id,
      receivedAt,
      dueAt: expected.dueAt,
      extendedDueAt: null,
      duplicate: false,
    });
    // Recital 64: a one-time link to the e-mail already held.
    const mail = await eventually(async () => smtp.to(s.email).find((m) => m.subject.startsWith('Please confirm')));
    expect(mail.text).toMatch(/\/public\/verify\?token=[A-Za-z0-9_-]{43}/);

    const again = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, duplicate: true });
    const other = await t.request('POST', '/v1/requests', { type: 'restriction', subjectId: s.id });
    expect(other.status).toBe(201);
    // Idempotency-Key: a retried POST gets the first answer, another body under the same key is refused.
    const headers = { 'idempotency-key': `req-${s.id}` };
    const first = await t.request('POST', '/v1/requests', { type: 'portability', subjectId: s.id }, { headers });
    const replay = await t.request('POST', '/v1/requests', { type: 'portability', subjectId: s.id }, { headers });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    const reused = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id }, { headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');

    const clock = await t.request('GET', `/v1/requests/${created.body.id}/clock`);
    expect(clock.status).toBe(200);
    expect(clock.body).toMatchObject({
      receivedAt,
      receivedLocalDate: expected.receivedLocalDate,
      firstDayCounted: expected.firstDayCounted,
      nominalEndDate: expected.nominalEndDate,
      skipped: expected.skipped,
      dueAt: expected.dueAt,
      extension: null,
      canExtend: true,
    });
  });

  it('extends once, within the first month, telling the subject the reasons', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const receivedAt = daysAgo(2);
    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, receivedAt });
    const id = created.body.id;
    const noReason = await t.request('POST', `/v1/requests/${id}/extend`, { months: 2 });
    expect(noReason.status).toBe(422);
    const three = await t.request('POST', `/v1/requests/${id}/extend`, { months: 3, reason: 'many systems' });
    expect(three.status).toBe(422);

    const reason = 'Your data is held in several systems; one must be restored from an archive.';
    const ext = await t.request('POST', `/v1/requests/${id}/extend`, { months: 2, reason });
    expect(ext.status).toBe(200);
    const expected = computeDueDate(new Date(receivedAt), { extensionMonths: 2 });
    expect(ext.body).toMatchObject({ extensionMonths: 2, extendedDueAt: expected.finalDueAt, subjectNotified: true });
    const mail = await eventually(async () => smtp.to(s.email).find((m) => m.subject.includes('extended')));
    expect(mail.text).toContain(reason);

    const twice = await t.request('POST', `/v1/requests/${id}/extend`, { months: 1, reason: 'more' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'extension_not_allowed', reason: 'already_extended' });
    const clock = await t.request('GET', `/v1/requests/${id}/clock`);
    expect(clock.body).toMatchObject({
      extension: { months: 2, totalMonths: 3 },
      finalDueAt: expected.finalDueAt,
      extensionReason: reason,
      canExtend: false,
    });

    // Art. 12(3): the extension must be told within the first month.
    const late = await t.request('POST', '/v1/requests', {
      type: 'restriction',
      subjectId: s.id,
      receivedAt: daysAgo(40),
    });
    const refused = await t.request('POST', `/v1/requests/${late.body.id}/extend`, { months: 1, reason: 'too late' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'extension_not_allowed', reason: 'deadline_passed' });
    expect(ext.body).toMatchObject({ extensionToldBy: 'email', extensionToldAt: expect.any(String) });
  });

  it('extends for a subject it cannot e-mail only when staff record how the subject was told (Art. 12(3))', async () => {
    const phone = `+48 600 ${String(Date.now() % 1_000_000).padStart(6, '0')}`;
    const s = await createSubject(t, { email: undefined, phone });
    const receivedAt = daysAgo(3);
    const id = (await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, receivedAt })).body.id;
    const reason = 'Dane są w archiwum papierowym.';

    const untold = await t.request('POST', `/v1/requests/${id}/extend`, { months: 1, reason });
    expect(untold.status).toBe(409);
    expect(untold.body.code).toBe('subject_cannot_be_told');
    // Nothing changed: no extension, no audit entry.
    expect((await t.request('GET', `/v1/requests/${id}/clock`)).body).toMatchObject({
      extension: null,
      canExtend: true,
    });
    const audits = async () =>
      (
        (await t.dataSource.query(`SELECT data FROM audit_log WHERE target_id = $1 AND action = 'request.extended'`, [
          id,
        ])) as { data: Record<string, unknown> }[]
      ).map((a) => a.data);
    expect(await audits()).toEqual([]);

    const toldAt = new Date(Date.now() - 3600_000).toISOString();
    for (const [body, field] of [
      [{ toldBy: 'letter' }, 'toldAt'],
      [{ toldAt }, 'toldBy'],
      [{ toldBy: 'pigeon', toldAt }, 'toldBy'],
      [{ toldBy: 'letter', toldAt: toldAt.replace(/\.\d+Z$/, '') }, 'toldAt'],
      [{ toldBy: 'letter', toldAt: new Date(Date.now() + 86_400_000).toISOString() }, 'toldAt'],
      [{ toldBy: 'letter', toldAt: daysAgo(10) }, 'toldAt'],
    ] as const) {
      const bad = await t.request('POST', `/v1/requests/${id}/extend`, { months: 1, reason, ...body });
      expect(bad.status).toBe(422);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }

    const ext = await t.request('POST', `/v1/requests/${id}/extend`, { months: 1, reason, toldBy: 'phone', toldAt });
    expect(ext.status).toBe(200);
    expect(ext.body).toMatchObject({
      extensionMonths: 1,
      subjectNotified: false,
      extensionToldBy: 'phone',
      extensionToldAt: toldAt,
    });
    expect((await t.request('GET', `/v1/requests/${id}/clock`)).body).toMatchObject({
      extensionToldBy: 'phone',
      extensionToldAt: toldAt,
    });
    expect(await audits()).toEqual([expect.objectContaining({ months: 1, emailId: null, toldBy: 'phone' })]);
  });

  it('takes receivedAt only with a time zone offset and within the holiday calendar', async () => {
    const s = await createSubject(t);
    for (const receivedAt of ['2026-01-31T23:30:00', '2010-12-31T12:00:00Z']) {
      const bad = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, receivedAt });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({
        code: 'validation_failed',
        errors: [expect.objectContaining({ field: 'receivedAt' })],
      });
    }
    const ok = await t.request('POST', '/v1/requests', {
      type: 'access',
      subjectId: s.id,
      receivedAt: '2026-01-31T23:30:00+01:00',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.receivedAt).toBe('2026-01-31T22:30:00.000Z');
  });

  it('cancels and rejects with audited transitions; an invalid one is 409 invalid_transition', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const a = await t.request('POST', '/v1/requests', { type: 'portability', subjectId: s.id });
    const cancelled = await t.request('POST', `/v1/requests/${a.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', resolution: null });
    const again = await t.request('POST', `/v1/requests/${a.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'invalid_transition', currentStatus: 'cancelled' });
    expect(await transitions(a.body.id)).toEqual(['received>awaiting_verification', 'awaiting_verification>cancelled']);

    const b = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id });
    const reason = 'The request concerns data of another person.';
    const rejected = await t.request('POST', `/v1/requests/${b.body.id}/reject`, { reason });
    expect(rejected.body).toMatchObject({
      status: 'completed',
      resolution: 'rejected',
      resolutionCode: 'rejected_by_staff',
      resolutionReason: reason,
    });
    // Art. 12(4): the reasons, and the right to complain to UODO and to a court.
    const mail = await eventually(async () => smtp.to(s.email).find((m) => m.subject.startsWith('We cannot act')));
    expect(mail.text).toContain(reason);
    expect(mail.text).toContain('ul. Stawki 2, 00-193 Warszawa');
    expect(mail.text).toContain('Article 79');
    const retry = await t.request('POST', `/v1/requests/${b.body.id}/retry`);
    expect(retry.status).toBe(409);
    // Nothing personal stays in the clear: the reason is sealed.
    const [row] = await t.dataSource.query(`SELECT * FROM requests WHERE id = $1`, [b.body.id]);
    expect(JSON.stringify(row)).not.toContain('another person');
    expect(row.contact_sealed).toBeNull();
  });

  it('verifies by staff or by the mailed link, then works through the tasks to completion', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const a = await t.request('POST', '/v1/requests', { type: 'restriction', subjectId: s.id });
    const v = await t.request('POST', `/v1/requests/${a.body.id}/verify`);
    expect(v.status).toBe(200);
    expect(v.body.status).toMatch(/in_progress|completed/);
    await waitForStatus(t, a.body.id, ['completed']);
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.restriction).not.toBeNull();
    expect(await transitions(a.body.id)).toEqual([
      'received>awaiting_verification',
      'awaiting_verification>verified',
      'verified>in_progress',
      'in_progress>completed',
    ]);
    expect((await t.request('POST', `/v1/requests/${a.body.id}/verify`)).status).toBe(409);

    const b = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, locale: 'en' });
    const mail = await eventually(async () =>
      smtp.to(s.email).find((m) => m.subject.startsWith('Please confirm') && m.text.includes('(Art. 15 GDPR)')),
    );
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
    const page = await t.request('GET', `/public/verify?token=${token}`, undefined, { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('method="post"');
    // A GET (a mail scanner) verified nothing.
    expect((await t.request('GET', `/v1/requests/${b.body.id}`)).body.status).toBe('awaiting_verification');
    const consumed = await t.request('POST', '/public/verify', { token }, { key: null });
    expect(consumed.status).toBe(200);
    expect(consumed.body).toMatchObject({ outcome: 'verified', requestId: b.body.id });
    await waitForStatus(t, b.body.id, ['completed']);
    const received = await eventually(async () =>
      smtp.to(s.email).find((m) => m.subject.startsWith('We have received') && m.text.includes(b.body.id)),
    );
    expect(received.text).toContain('Reply due by');
  });

  it('applies an objection to direct marketing at once, before any verification (Art. 21(3))', async () => {
    const s = await createSubject(t);
    const r = await t.request('POST', '/v1/requests', { type: 'objection', subjectId: s.id });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('awaiting_verification');
    const subject = await t.request('GET', `/v1/subjects/${s.id}`);
    expect(subject.body.objections.directMarketingSince).not.toBeNull();
  });

  it('records the assessment of an objection to named purposes and tells the subject (Art. 21(1))', async () => {
    const profiling = await publishedPurpose(t, 'profil', {
      legalBasis: 'legitimate_interests',
      marketing: false,
      channels: ['email', 'post'],
    });
    const decide = async (subjectId: string) =>
      (await t.request('GET', `/v1/consents/check?purpose=${profiling}&channel=post&subjectId=${subjectId}`)).body
        .reason as string;
    const reasons = 'Dane są niezbędne do obrony przed roszczeniem z reklamacji nr 12/2026.';

    // Overruled: compelling legitimate grounds, processing resumes, the subject is told with the reasons.
    const s = await createSubject(t, { locale: 'en' });
    const open = await t.request('POST', '/v1/requests', { type: 'objection', subjectId: s.id, purposes: [profiling] });
    expect(await decide(s.id)).toBe('objected');
    // Not carried out yet: nothing to assess.
    const early = await t.request('POST', `/v1/requests/${open.body.id}/assessment`, { outcome: 'upheld', reasons });
    expect(early).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    expect((await t.request('POST', `/v1/requests/${open.body.id}/verify`)).status).toBe(200);
    await waitForStatus(t, open.body.id, ['completed']);
    const bad = await t.request('POST', `/v1/requests/${open.body.id}/assessment`, { outcome: 'maybe', reasons });
    expect(bad.status).toBe(422);
    const overruled = await t.request('POST', `/v1/requests/${open.body.id}/assessment`, {
      outcome: 'compelling_grounds',
      reasons,
    });
    expect(overruled.status).toBe(200);
    expect(overruled.body.assessment).toMatchObject({ outcome: 'compelling_grounds', reasons, toldBy: 'email' });
    expect(await decide(s.id)).toBe('legal_basis');
    const mail = await eventually(async () =>
      smtp.to(s.email).find((m) => m.subject === 'The outcome of your objection'),
    );
    expect(mail.text).toContain(reasons);
    expect(mail.text).toContain('compelling legitimate grounds');
    expect(mail.text).toContain(`Purpose ${profiling}`);
    const twice = await t.request('POST', `/v1/requests/${open.body.id}/assessment`, { outcome: 'upheld', reasons });
    expect(twice).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
    const audit = await t.request('GET', `/v1/audit?subjectId=${s.id}`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['request.objection_assessed', 'subject.objection_overruled']));
    expect(JSON.stringify(audit.body)).not.toContain('reklamacji');

    // Upheld for a subject without e-mail: staff must say how they told them.
    const phone = `+48 603 ${String(Date.now() % 1_000_000).padStart(6, '0')}`;
    const p = await createSubject(t, { email: undefined, phone });
    const r = await t.request('POST', '/v1/requests', {
      type: 'objection',
      subjectId: p.id,
      purposes: [profiling],
      verified: true,
    });
    await waitForStatus(t, r.body.id, ['completed']);
    const untold = await t.request('POST', `/v1/requests/${r.body.id}/assessment`, { outcome: 'upheld', reasons });
    expect(untold).toMatchObject({ status: 409, body: { code: 'subject_cannot_be_told' } });
    expect((await t.request('GET', `/v1/requests/${r.body.id}`)).body.assessment).toBeNull();
    const toldAt = new Date().toISOString();
    const upheld = await t.request('POST', `/v1/requests/${r.body.id}/assessment`, {
      outcome: 'upheld',
      reasons,
      toldBy: 'letter',
      toldAt,
    });
    expect(upheld.status).toBe(200);
    expect(upheld.body.assessment).toMatchObject({ outcome: 'upheld', toldBy: 'letter', toldAt });
    expect(await decide(p.id)).toBe('objected');

    // Only objections to named purposes are assessed.
    const access = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id });
    const refused = await t.request('POST', `/v1/requests/${access.body.id}/assessment`, {
      outcome: 'upheld',
      reasons,
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
  });

  it('lists with filters and a cursor; overdue lists open requests past their deadline', async () => {
    const s = await createSubject(t);
    const old = await t.request('POST', '/v1/requests', {
      type: 'portability',
      subjectId: s.id,
      receivedAt: daysAgo(45),
    });
    const overdue = await t.request('GET', '/v1/requests?overdue=true&limit=500');
    expect(overdue.status).toBe(200);
    expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(old.body.id);
    expect(overdue.body.items.every((i: { status: string }) => !['completed', 'cancelled'].includes(i.status))).toBe(
      true,
    );
    const byType = await t.request('GET', '/v1/requests?type=portability&status=awaiting_verification&limit=500');
    expect(byType.body.items.length).toBeGreaterThan(0);
    expect(
      byType.body.items.every(
        (i: { type: string; status: string }) => i.type === 'portability' && i.status === 'awaiting_verification',
      ),
    ).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/requests?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await t.request('GET', '/v1/requests?limit=500');
    expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await t.request('GET', '/v1/requests?cursor=nonsense')).body.code).toBe('invalid_cursor');
    expect((await t.request('GET', '/v1/requests/00000000-0000-4000-8000-000000000000')).body.code).toBe(
      'unknown_request',
    );
  });

  it('sort=due pages open requests by their binding deadline (keyset), with atRisk and overdue filters', async () => {
    const make = async (receivedDaysAgo: number, type = 'access') => {
      const s = await createSubject(t);
      const r = await t.request('POST', '/v1/requests', {
        type,
        subjectId: s.id,
        receivedAt: daysAgo(receivedDaysAgo),
      });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const overdue = await make(45);
    const atRisk = await make(27);
    const fresh = await make(1);
    const extended = await make(10);
    const closed = await make(40);
    // The extended deadline binds: two more months puts it after the fresh one.
    expect(
      (await t.request('POST', `/v1/requests/${extended}/extend`, { months: 2, reason: 'Wiele systemów' })).status,
    ).toBe(200);
    expect((await t.request('POST', `/v1/requests/${closed}/cancel`)).status).toBe(200);

    type Row = { id: string; status: string; dueAt: string; extendedDueAt: string | null };
    const pages: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Row[]; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/requests?sort=due&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      pages.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await t.request('GET', '/v1/requests?sort=due&limit=500');
    expect(pages.map((r) => r.id)).toEqual(all.body.items.map((r: Row) => r.id));
    expect(new Set(pages.map((r) => r.id)).size).toBe(pages.length);
    // Open only, and ordered by (binding deadline, id).
    expect(pages.every((r) => !['completed', 'cancelled'].includes(r.status))).toBe(true);
    const key = (r: Row) => `${new Date(r.extendedDueAt ?? r.dueAt).toISOString()} ${r.id}`;
    expect(pages.map(key)).toEqual(pages.map(key).sort());
    const ids = pages.map((r) => r.id);
    expect(ids).not.toContain(closed);
    const at = (id: string) => ids.indexOf(id);
    expect(at(overdue)).toBeGreaterThanOrEqual(0);
    expect(at(overdue)).toBeLessThan(at(atRisk));
    expect(at(atRisk)).toBeLessThan(at(fresh));
    expect(at(fresh)).toBeLessThan(at(extended));

    // Filters combine with the order: the same sets as the deadline sweep and /metrics use.
    const risky = await t.request('GET', '/v1/requests?sort=due&atRisk=true&limit=500');
    expect(risky.body.items.map((r: Row) => r.id)).toContain(atRisk);
    expect(risky.body.items.map((r: Row) => r.id)).not.toContain(overdue);
    expect(risky.body.items.map((r: Row) => r.id)).not.toContain(fresh);
    const late = await t.request('GET', '/v1/requests?sort=due&overdue=true&type=access&limit=500');
    expect(late.body.items.map((r: Row) => r.id)).toContain(overdue);
    expect(late.body.items.map((r: Row) => r.id)).not.toContain(atRisk);
    const byStatus = await t.request('GET', '/v1/requests?sort=due&status=awaiting_verification&limit=500');
    expect(byStatus.body.items.length).toBeGreaterThan(0);
    expect(byStatus.body.items.every((r: Row) => r.status === 'awaiting_verification')).toBe(true);

    // A closed status has no deadline left to sort by; a cursor of the other order or a damaged one is refused.
    const refused = await t.request('GET', '/v1/requests?sort=due&status=completed');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation_failed');
    expect((await t.request('GET', '/v1/requests?sort=bogus')).status).toBe(422);
    const receivedCursor = (await t.request('GET', '/v1/requests?limit=1')).body.nextCursor;
    expect((await t.request('GET', `/v1/requests?sort=due&cursor=${receivedCursor}`)).body.code).toBe('invalid_cursor');
    const forged = Buffer.from(JSON.stringify({ dueAt: 'not a date', id: "x' OR 1=1" })).toString('base64url');
    const bad = await t.request('GET', `/v1/requests?sort=due&cursor=${forged}`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
  });
});
