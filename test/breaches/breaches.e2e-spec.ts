import { BreachDigestService, DIGEST_JOB } from '../../src/breaches/breach-digest.service';
import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { BREACH_DIGEST_CRON } from '../../src/jobs/schedules';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { pdfText } from '../support/pdf-text';
import { SmtpCatcher } from '../support/smtp-catcher';
import { checkedFetch } from '../support/contract';

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const DPO_EMAIL = 'iod@firma.invalid';

describe('breach register (Art. 33-34)', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, DPO_NAME: 'Anna Nowak-IOD', DPO_EMAIL } });
    // The worker registered the hourly digest; the test drives the digest itself, so no top of the hour
    // falling inside the run can send one behind its back.
    const maintenance = t.get(QueueRegistry).get('maintenance');
    expect(await maintenance.getJobScheduler(DIGEST_JOB)).toMatchObject({ pattern: BREACH_DIGEST_CRON });
    await maintenance.removeJobScheduler(DIGEST_JOB);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** The PDF over HTTP, its text extracted as a reader (or UODO's clerk copying from it) would get it. */
  const authorityReportPdf = async (id: string) => {
    const res = await checkedFetch(`${t.baseUrl}/v1/breaches/${id}/authority-report?format=pdf`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    // Lines wrapped by the layout are joined back, so that phrases can be looked for whole.
    return (await pdfText(bytes)).replace(/\s*\n\s*/g, ' ');
  };

  const metric = async (name: string, labels: string) => {
    const res = await t.request('GET', '/metrics', undefined, { key: null });
    const line = res.text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('takes an incident from discovery to closure: clock, risk, affected subjects, Art. 34 notices, UODO', async () => {
    // Customers of the shop before the incident, and the systems that hold their data.
    const system = (key: string, dataCategories: string[]) =>
      t.request('POST', '/v1/systems', { key, name: key, kind: 'manual', dataCategories, purposes: [] });
    expect((await system('shop-db', ['email', 'order_history'])).status).toBe(201);
    expect((await system('payroll', ['salary'])).status).toBe(201);
    const subject = async (body: Record<string, string>) => {
      const res = await t.request('POST', '/v1/subjects', body);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    await subject({ email: 'ewa.breach@example.com', locale: 'pl' });
    await subject({ email: 'john.breach@example.com', locale: 'en' });
    await subject({ externalId: 'loyalty-card-0042', locale: 'pl' });

    const awareAt = ago(50);
    const created = await t.request('POST', '/v1/breaches', {
      description: 'Laptop z kopią bazy sklepu skradziony z samochodu serwisanta.',
      occurredAt: ago(53),
      awareAt,
      reportedBy: 'IT',
      dataCategories: ['email', 'order_history'],
      subjectCategories: ['customers'],
      systems: ['shop-db'],
      approxSubjects: 3,
      approxRecords: 40,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'open', riskAssessment: null, reportedBy: 'IT' });

    // 50 of the 72 hours are gone: 22 left, which is inside the last 24.
    const shown = await t.request('GET', `/v1/breaches/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.deadline).toMatchObject({
      notifyAuthorityBy: new Date(Date.parse(awareAt) + 72 * HOUR).toISOString(),
      running: true,
      atRisk: true,
      overdue: false,
    });
    expect(shown.body.deadline.hoursLeft).toBeCloseTo(22, 0);
    expect((await t.request('GET', '/v1/breaches?atRisk=true')).body.items.map((b: { id: string }) => b.id)).toEqual([
      id,
    ]);
    expect((await t.request('GET', '/v1/breaches?overdue=true')).body.items).toEqual([]);
    expect(await metric('zgoda_breach_deadlines', 'state="at_risk"')).toBe(1);

    const unreasoned = await t.request('PATCH', `/v1/breaches/${id}`, { riskAssessment: 'high_risk' });
    expect(unreasoned.status).toBe(422);
    expect(unreasoned.body.errors.map((e: { field: string }) => e.field)).toEqual(['riskReasoning']);
    const assessed = await t.request('PATCH', `/v1/breaches/${id}`, {
      riskAssessment: 'high_risk',
      riskReasoning: 'Dysk nieszyfrowany; adresy e-mail z historią zamówień umożliwiają phishing.',
      likelyConsequences: 'Ryzyko wiadomości phishingowych podszywających się pod sklep.',
      measuresTaken: 'Zdalne zablokowanie konta serwisanta, zmiana haseł do bazy.',
      measuresProposed: 'Prosimy uważać na wiadomości z prośbą o dane logowania.',
      status: 'contained',
    });
    expect(assessed.status).toBe(200);
    expect(assessed.body).toMatchObject({ riskAssessment: 'high_risk', status: 'contained' });
    expect(assessed.body.containedAt).not.toBeNull();

    // Payroll holds none of the breached categories: nobody there is affected.
    const select = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/breaches/${id}/affected-subjects/select`, body);
    const none = await select({ systems: ['payroll'], confirm: true });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ selected: 0, total: 0, matchedSystems: [] });
    // A preview first: the count and a sample, nothing recorded.
    const preview = await select({ dryRun: true });
    expect(preview.body).toMatchObject({
      dryRun: true,
      count: 3,
      matchedSystems: ['shop-db'],
      linkedSystems: [],
      assumedAllSystems: ['shop-db'],
    });
    expect(preview.body.sample).toHaveLength(3);
    expect((await t.request('GET', `/v1/breaches/${id}/affected-subjects`)).body.total).toBe(0);
    // Recording it needs an explicit confirmation.
    const unconfirmed = await select({});
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.errors.map((e: { field: string }) => e.field)).toEqual(['confirm']);
    const selected = await select({ confirm: true });
    expect(selected.body).toMatchObject({ selected: 3, total: 3, matchedSystems: ['shop-db'] });
    const again = await select({ confirm: true });
    expect(again.body).toMatchObject({ selected: 0, total: 3 });
    expect((await t.request('GET', `/v1/breaches/${id}/affected-subjects`)).body).toEqual({
      total: 3,
      sent: 0,
      pending: 3,
      withoutEmail: 0,
    });

    const notices = await t.request('POST', `/v1/breaches/${id}/subject-notices`);
    expect(notices.status).toBe(202);
    expect(notices.body.pending).toBe(3);
    const counts = await eventually(async () => {
      const r = await t.request('GET', `/v1/breaches/${id}/affected-subjects`);
      return r.body.pending === 0 ? r.body : null;
    });
    expect(counts).toEqual({ total: 3, sent: 2, pending: 0, withoutEmail: 1 });
    await eventually(
      async () => smtp.to('ewa.breach@example.com').length + smtp.to('john.breach@example.com').length >= 2,
    );

    const [pl] = smtp.to('ewa.breach@example.com');
    expect(pl.subject).toContain('naruszenie ochrony Państwa danych');
    expect(pl.text).toContain('Laptop z kopią bazy sklepu');
    expect(pl.text).toContain('Zdalne zablokowanie konta serwisanta');
    expect(pl.text).toContain('Ryzyko wiadomości phishingowych');
    expect(pl.text).toContain(`Anna Nowak-IOD, ${DPO_EMAIL}`);
    const [en] = smtp.to('john.breach@example.com');
    expect(en.subject).toContain('a breach affecting your personal data');
    expect(en.text).toContain('What happened');
    expect(en.text).toContain(`Data protection officer: Anna Nowak-IOD, ${DPO_EMAIL}`);

    // Asking again tells nobody twice.
    expect((await t.request('POST', `/v1/breaches/${id}/subject-notices`)).body.pending).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages.filter((m) => m.to.some((a) => a.endsWith('.breach@example.com')))).toHaveLength(2);

    const report = await t.request('GET', `/v1/breaches/${id}/authority-report?format=html`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/html');
    for (const expected of [
      'Zgłoszenie naruszenia ochrony danych osobowych Prezesowi Urzędu Ochrony Danych Osobowych',
      'Laptop z kopią bazy sklepu',
      'Anna Nowak-IOD',
      DPO_EMAIL,
      'wysokie ryzyko',
      'order_history',
      'customers',
      '<dt>Przybliżona liczba wpisów danych osobowych</dt><dd>40</dd>',
      'Zdalne zablokowanie konta serwisanta',
      'zawiadomienie wysłano do 2',
    ]) {
      expect(report.text).toContain(expected);
    }

    // The same document as a PDF: the Art. 33(3) items, in Polish, with the diacritics intact.
    const pdfText = await authorityReportPdf(id);
    for (const expected of [
      'Zgłoszenie naruszenia ochrony danych osobowych Prezesowi Urzędu Ochrony Danych Osobowych',
      'Inspektor ochrony danych lub inny punkt kontaktowy (art. 33 ust. 3 lit. b)',
      'Anna Nowak-IOD',
      DPO_EMAIL,
      'Charakter naruszenia (art. 33 ust. 3 lit. a)',
      'Laptop z kopią bazy sklepu skradziony z samochodu serwisanta.',
      'Przybliżona liczba osób',
      'Przybliżona liczba wpisów danych osobowych',
      'order_history',
      'customers',
      'Możliwe konsekwencje naruszenia (art. 33 ust. 3 lit. c)',
      'Ryzyko wiadomości phishingowych podszywających się pod sklep.',
      'wysokie ryzyko naruszenia praw lub wolności osób fizycznych',
      'Środki zastosowane lub proponowane (art. 33 ust. 3 lit. d)',
      'Zdalne zablokowanie konta serwisanta, zmiana haseł do bazy.',
      'zawiadomienie wysłano do 2',
    ]) {
      expect(pdfText).toContain(expected);
    }
    expect(pdfText).toMatch(/[ąćęłńóśźż]/);
    expect((await t.request('GET', `/v1/breaches/${id}/authority-report?format=docx`)).status).toBe(422);

    const notified = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt: new Date().toISOString(),
      phase: 'initial',
      reference: 'DKN.5130.1234.2026',
    });
    expect(notified.status).toBe(201);
    expect(notified.body).toMatchObject({ phase: 'initial', late: false, reference: 'DKN.5130.1234.2026' });
    expect(notified.body.breach.status).toBe('notified');
    expect(notified.body.breach.deadline).toMatchObject({ running: false, atRisk: false, notifiedLate: false });
    const supplementary = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt: new Date().toISOString(),
      phase: 'supplementary',
    });
    expect(supplementary.status).toBe(201);
    expect(await metric('zgoda_breach_deadlines', 'state="at_risk"')).toBe(0);

    const closed = await t.request('PATCH', `/v1/breaches/${id}`, { status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.closedAt).not.toBeNull();
    expect((await t.request('PATCH', `/v1/breaches/${id}`, { approxRecords: 41 })).body.code).toBe(
      'invalid_transition',
    );

    const detail = await t.request('GET', `/v1/breaches/${id}`);
    expect(detail.body.authorityNotifications.map((n: { phase: string }) => n.phase)).toEqual([
      'initial',
      'supplementary',
    ]);

    // The history keeps the values; the audit log only ids and field names.
    const history = await t.request('GET', `/v1/breaches/${id}/history`);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'updated',
      'subjects_selected',
      'subjects_selected',
      'subjects_selected',
      'subject_notices_requested',
      'subject_notices_requested',
      'authority_notified',
      'authority_notified',
      'updated',
    ]);
    expect(history.body.items[1].data.riskAssessment).toEqual({ from: null, to: 'high_risk' });
    expect(history.body.items[1].data.status).toEqual({ from: 'open', to: 'contained' });
    expect(history.body.items[9].data.status).toEqual({ from: 'notified', to: 'closed' });
    const audit = await t.request('GET', `/v1/audit?targetId=${id}&limit=100`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'breach.created',
        'breach.updated',
        'breach.subjects_selected',
        'breach.authority_notified',
      ]),
    );
    expect(actions.filter((a: string) => a === 'breach.subject_notices_queued').length).toBeGreaterThan(0);
    const updates = audit.body.items.filter((e: { action: string }) => e.action === 'breach.updated').reverse();
    expect(updates.map((e: { data: { fields: string[] } }) => e.data.fields.sort())).toEqual([
      [
        'containedAt',
        'likelyConsequences',
        'measuresProposed',
        'measuresTaken',
        'riskAssessment',
        'riskReasoning',
        'status',
      ],
      ['closedAt', 'status'],
    ]);
    expect(JSON.stringify(audit.body)).not.toMatch(/Laptop|phishing|example\.com/);
  });

  it('refuses a late notification to UODO without the reasons for the delay (Art. 33(1))', async () => {
    const created = await t.request('POST', '/v1/breaches', {
      description: 'Wysłano zestawienie do niewłaściwego kontrahenta.',
      awareAt: ago(100),
      reportedBy: 'helpdesk',
      riskAssessment: 'risk',
      riskReasoning: 'Dane kontaktowe klientów u podmiotu nieuprawnionego.',
    });
    const id = created.body.id as string;
    expect(created.body.deadline).toMatchObject({ running: true, overdue: true, atRisk: false });
    expect(created.body.deadline.hoursLeft).toBeCloseTo(-28, 0);
    expect(await metric('zgoda_breach_deadlines', 'state="overdue"')).toBe(1);
    expect((await t.request('GET', '/v1/breaches?overdue=true')).body.items.map((b: { id: string }) => b.id)).toEqual([
      id,
    ]);

    // The report flags the missing reasons before anyone sends it.
    expect((await t.request('GET', `/v1/breaches/${id}/authority-report`)).text).toContain(
      'należy podać przyczyny opóźnienia',
    );
    expect(await authorityReportPdf(id)).toContain(
      'Zgłoszenie po upływie 72 godzin: należy podać przyczyny opóźnienia.',
    );

    const sentAt = new Date().toISOString();
    const refused = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, { sentAt, phase: 'initial' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('late_notification_reason_required');
    expect(refused.body.notifyAuthorityBy).toBe(created.body.deadline.notifyAuthorityBy);
    const blank = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt,
      phase: 'initial',
      delayReasons: '   ',
    });
    expect(blank.body.code).toBe('late_notification_reason_required');
    const supplementaryFirst = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt,
      phase: 'supplementary',
    });
    expect(supplementaryFirst.status).toBe(409);
    expect((await t.request('GET', `/v1/breaches/${id}`)).body.status).toBe('open');

    const accepted = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt,
      phase: 'final',
      delayReasons: 'Kontrahent potwierdził otrzymanie danych dopiero po czterech dniach.',
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ late: true, phase: 'final' });
    expect(accepted.body.breach.deadline).toMatchObject({ running: false, overdue: false, notifiedLate: true });
    const afterFinal = await t.request('POST', `/v1/breaches/${id}/authority-notifications`, {
      sentAt,
      phase: 'supplementary',
    });
    expect(afterFinal.status).toBe(409);
    expect(await metric('zgoda_breach_deadlines', 'state="overdue"')).toBe(0);

    // Art. 34 notices are for a high risk only.
    expect((await t.request('POST', `/v1/breaches/${id}/subject-notices`)).status).toBe(409);
  });

  it('e-mails the DPO an hourly digest of incidents at risk or overdue, once per hour', async () => {
    const created = await t.request('POST', '/v1/breaches', {
      description: 'Błędna konfiguracja uprawnień w systemie rezerwacji.',
      awareAt: ago(60),
      reportedBy: 'IT',
    });
    expect(created.status).toBe(201);
    const digest = t.get(BreachDigestService);
    expect(await digest.run()).toEqual({ sent: true, breaches: 1 });
    expect(await digest.run()).toEqual({ sent: false, breaches: 1 });
    const mail = await eventually(async () => smtp.to(DPO_EMAIL)[0]);
    expect(mail.subject).toBe('Naruszenia: 0 po terminie, 1 z terminem w ciągu 24 godzin');
    expect(mail.text).toContain(created.body.id);
    expect(mail.text).toContain('Błędna konfiguracja uprawnień');
    expect(smtp.to(DPO_EMAIL)).toHaveLength(1);
  });

  it('answers unknown incidents, bad input and missing scopes with problems', async () => {
    const unknown = await t.request('GET', '/v1/breaches/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown_breach');
    const future = await t.request('POST', '/v1/breaches', {
      description: 'x',
      awareAt: new Date(Date.now() + 48 * HOUR).toISOString(),
      reportedBy: 'IT',
    });
    expect(future.status).toBe(422);
    expect(future.body.errors.map((e: { field: string }) => e.field)).toEqual(['awareAt']);
    expect((await t.request('POST', '/v1/breaches', { description: 'x', reportedBy: 'IT' })).status).toBe(422);
    const key = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['consent:read'] });
    expect((await t.request('GET', '/v1/breaches', undefined, { key: key.body.key })).status).toBe(403);
    const manager = await t.request('POST', '/v1/api-keys', { name: 'dpo', scopes: ['breaches:manage'] });
    expect((await t.request('GET', '/v1/breaches?limit=1', undefined, { key: manager.body.key })).status).toBe(200);
  });
});

describe('breach register: choosing who was affected (issue 13 item 12)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t?.close());

  it('selects affected subjects by the systems that hold them and the window, never "everyone" by default', async () => {
    const crm = await t.request('POST', '/v1/systems', {
      key: 'crm-leak',
      name: 'CRM',
      kind: 'manual',
      dataCategories: ['phone'],
      purposes: [],
    });
    expect(crm.status).toBe(201);
    const linked = await t.request('POST', '/v1/subjects', { externalId: 'K-77', externalSystem: 'crm-leak' });
    const elsewhere = await t.request('POST', '/v1/subjects', { email: 'elsewhere.leak@example.com' });
    const created = await t.request('POST', '/v1/breaches', {
      description: 'Eksport CRM wysłany na zły adres.',
      occurredAt: ago(2),
      awareAt: ago(1),
      reportedBy: 'Sprzedaż',
      dataCategories: ['phone'],
      subjectCategories: ['customers'],
      systems: ['crm-leak'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const select = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/breaches/${id}/affected-subjects/select`, body);

    // Nothing that narrows it: refused, not "everyone who exists".
    const broad = await select({ systems: [], dataCategories: [], confirm: true });
    expect(broad.status).toBe(422);
    expect(broad.body.code).toBe('selection_too_broad');

    // The CRM's people are known to Zgoda by their CRM ids: only they are taken.
    const preview = await select({ dryRun: true });
    expect(preview.body).toMatchObject({ count: 1, sample: [linked.body.id], linkedSystems: ['crm-leak'] });
    expect(preview.body.sample).not.toContain(elsewhere.body.id);
    expect((await select({ confirm: true })).body).toMatchObject({ selected: 1, total: 1 });

    // A system nobody is linked to: everyone held during the window is taken, and the answer says so. The
    // window's start is honoured: a subject erased after the breach began was held during it (counted, though
    // there is no one left to write to); with a window starting after the erasure, it was not.
    expect(
      (
        await t.request('POST', '/v1/systems', {
          key: 'mail-leak',
          name: 'Mailing',
          kind: 'manual',
          dataCategories: ['email'],
          purposes: [],
        })
      ).status,
    ).toBe(201);
    const gone = await t.request('POST', '/v1/subjects', { email: 'gone.leak@example.com' });
    expect((await t.request('POST', `/v1/subjects/${gone.body.id}/erase`, { reason: 'staff:test' })).status).toBe(204);
    const mailing = await t.request('POST', '/v1/breaches', {
      description: 'Lista mailingowa w publicznym zasobniku.',
      occurredAt: ago(2),
      awareAt: ago(1),
      reportedBy: 'Marketing',
      dataCategories: ['email'],
      subjectCategories: ['customers'],
      systems: ['mail-leak'],
    });
    const onMailing = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/breaches/${mailing.body.id}/affected-subjects/select`, body);
    const all = await onMailing({ dryRun: true });
    expect(all.body).toMatchObject({ count: 3, linkedSystems: [], assumedAllSystems: ['mail-leak'] });
    expect([...all.body.sample].sort()).toEqual([linked.body.id, elsewhere.body.id, gone.body.id].sort());
    await new Promise((r) => setTimeout(r, 20));
    const afterErasure = await onMailing({ dryRun: true, from: new Date().toISOString() });
    expect(afterErasure.body.count).toBe(2);
    expect(afterErasure.body.sample).not.toContain(gone.body.id);
    const inverted = await onMailing({ dryRun: true, from: new Date(Date.now() + 60_000).toISOString() });
    expect(inverted.status).toBe(422);
  });
});
