import { compactVerify, createLocalJWKSet } from 'jose';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, download, unzip, WebhookReceiver, waitForStatus } from './support';

const SHOP_SECRET = 'shop-secret-0123456789abcdef';
const CRM_SECRET = 'crm-secret-0123456789abcdefgh';
const FLAKY_SECRET = 'flaky-secret-0123456789abcdef';

/**
 * Fulfilment across data systems, with the worker running: a shop answering at once, a CRM answering
 * 202 and calling back, a manual archive, and Zgoda's own store.
 */
describe('requests: fulfilment across systems', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let shop: WebhookReceiver;
  let crm: WebhookReceiver;
  let flaky: WebhookReceiver;
  let crmMode: 'done' | 'retained' = 'done';
  let flakyFails = true;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    const appUrl = () => t.baseUrl;
    shop = await WebhookReceiver.start(
      SHOP_SECRET,
      (call) =>
        call.action === 'access'
          ? {
              status: 200,
              body: {
                status: 'done',
                data: {
                  orders: [
                    { number: 'Z/1', total: '120.00', note: 'okulary, "progresywne"' },
                    { number: 'Z/2', total: '80.50', note: null },
                  ],
                  loyalty: { card: 'L-77', points: 120 },
                },
              },
            }
          : { status: 200, body: { status: 'done' } },
      appUrl,
    );
    crm = await WebhookReceiver.start(
      CRM_SECRET,
      (call) =>
        call.action === 'erasure' && crmMode === 'retained'
          ? {
              status: 202,
              callback: {
                status: 'retained',
                reason: 'ustawa o rachunkowości art. 74',
                retainedUntil: '2031-01-01T00:00:00Z',
              },
            }
          : {
              status: 202,
              callback:
                call.action === 'access'
                  ? { status: 'done', data: { contacts: [{ channel: 'phone', at: '2025-05-01' }] } }
                  : { status: 'done' },
            },
      appUrl,
    );
    flaky = await WebhookReceiver.start(
      FLAKY_SECRET,
      () => (flakyFails ? { status: 503 } : { status: 200, body: { status: 'done' } }),
      appUrl,
    );
    t = await startTestApp({
      role: 'all',
      env: {
        SMTP_URL: smtp.url,
        CONTROLLER_NAME: 'Optyk Wzorcowy sp. z o.o.',
        REQUEST_TASK_MAX_ATTEMPTS: 2,
        // The systems' receivers run on 127.0.0.1.
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
      },
    });
    await createSystem(t, {
      key: 'shop',
      name: 'Sklep',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SHOP_SECRET },
    });
    await createSystem(t, {
      key: 'crm',
      name: 'CRM',
      kind: 'webhook',
      dataCategories: ['contact_history'],
      purposes: [],
      webhook: { url: crm.url, secret: CRM_SECRET },
      processor: {
        name: 'CRM Cloud Inc.',
        contact: 'privacy@crm.example.com',
        country: 'US',
        transferSafeguards: 'EU-US Data Privacy Framework',
      },
    });
    await createSystem(t, {
      key: 'archive',
      name: 'Archiwum papierowe',
      kind: 'manual',
      dataCategories: ['paper_forms'],
      purposes: [],
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), shop?.close(), crm?.close(), flaky?.close()]);
  });

  async function completeManual(requestId: string, body: Record<string, unknown> = { status: 'done' }) {
    const r = await waitForStatus(t, requestId, ['awaiting_recipients']);
    const archive = r.tasks.find((x: { system: string }) => x.system === 'archive');
    expect(archive.status).toBe('pending');
    const res = await t.request('POST', `/v1/requests/${requestId}/tasks/${archive.id}/complete`, body);
    expect(res.status).toBe(200);
    return res;
  }

  it('answers an access request with a package from every system, and a download link that is audited', async () => {
    const s = await createSubject(t, { locale: 'en' });
    const created = await t.request('POST', '/v1/requests', { type: 'access', subjectId: s.id, verified: true });
    expect(created.status).toBe(201);
    expect(created.body.tasks.map((x: { system: string }) => x.system).sort()).toEqual([
      'archive',
      'crm',
      'shop',
      'zgoda',
    ]);
    const id = created.body.id;

    // Art. 19 and 12(3): the manual archive keeps the request waiting for recipients, not completed.
    await completeManual(id, { status: 'done', data: { paper_forms: [{ form: 'RODO-1', signed: '2024-01-05' }] } });
    const done = await waitForStatus(t, id, ['completed']);
    expect(done.resolution).toBe('fulfilled');
    expect(done.resultAvailable).toBe(true);
    expect(done.tasks.every((x: { status: string }) => x.status === 'done')).toBe(true);

    // Each webhook system was asked once and performed the work once.
    const shopCalls = shop.calls.filter((c) => c.requestId === id);
    expect(shopCalls).toHaveLength(1);
    expect(shopCalls[0].subject.identifiers).toEqual(expect.arrayContaining([{ kind: 'email', value: s.email }]));
    expect(crm.calls.filter((c) => c.requestId === id)).toHaveLength(1);

    const zip = await download(`${t.baseUrl}/v1/requests/${id}/result`, t.adminKey);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const files = await unzip(zip.body);
    expect([...files.keys()].sort()).toEqual(
      expect.arrayContaining([
        'data.json',
        'schema.json',
        'report.html',
        'csv/shop/orders.csv',
        'csv/shop/loyalty.csv',
        'csv/crm/contacts.csv',
        'csv/archive/paper_forms.csv',
        'csv/zgoda/identifiers.csv',
        'csv/zgoda/profile.csv',
      ]),
    );
    const data = JSON.parse(files.get('data.json')!);
    expect(data.schemaVersion).toBe('1.0');
    expect(data.controller.name).toBe('Optyk Wzorcowy sp. z o.o.');
    expect(new Date(data.exportedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(data.systems.find((x: { key: string }) => x.key === 'shop').data.loyalty).toEqual([
      { card: 'L-77', points: 120 },
    ]);
    expect(files.get('csv/shop/orders.csv')).toBe(
      '\uFEFFnumber,total,note\r\nZ/1,120.00,"okulary, ""progresywne"""\r\nZ/2,80.50,\r\n',
    );
    const report = files.get('report.html')!;
    // Art. 15(1)(a)-(h), 15(2), 15(3): every item is there, in the subject's language.
    for (const text of [
      'Purposes of the processing',
      'Categories of personal data',
      'Recipients',
      'CRM Cloud Inc.',
      'EU-US Data Privacy Framework',
      'How long the data is kept',
      'rectification (Article 16)',
      'ul. Stawki 2, 00-193 Warszawa',
      'Source of the data',
      'Automated decision-making',
      'None.',
      'Consent history',
      'L-77',
      s.email,
    ]) {
      expect(report).toContain(text);
    }

    // The subject's e-mail carries an expiring link; the download through it is audited too.
    const mail = await eventually(async () => smtp.to(s.email).find((m) => m.text.includes('/result?token=')));
    expect(mail.subject).toMatch(/completed/i);
    const link = /(https?:\/\/\S+\/public\/requests\/\S+\/result\?token=\S+)/.exec(mail.text)![1];
    const viaLink = await download(`${t.baseUrl}${new URL(link).pathname}${new URL(link).search}`);
    expect(viaLink.status).toBe(200);
    expect(viaLink.body.equals(zip.body)).toBe(true);
    const wrong = await download(
      `${t.baseUrl}${new URL(link).pathname}?token=x${new URL(link).searchParams.get('token')}`,
    );
    expect(wrong.status).toBe(400);
    const audit = (await t.dataSource.query(
      `SELECT data FROM audit_log WHERE action = 'request.result_downloaded' AND target_id = $1 ORDER BY seq`,
      [id],
    )) as { data: { by: string } }[];
    expect(audit.map((a) => a.data.by)).toEqual(['staff', 'subject']);

    // Sealed at rest: the package and the systems' answers are not readable in the database.
    const [row] = await t.dataSource.query(`SELECT content_sealed FROM request_results WHERE request_id = $1`, [id]);
    expect(Buffer.from(row.content_sealed).includes(Buffer.from('L-77'))).toBe(false);
    const raw = await t.dataSource.query(`SELECT result_sealed::text AS r FROM request_tasks WHERE request_id = $1`, [
      id,
    ]);
    expect(JSON.stringify(raw)).not.toContain('L-77');
  });

  it('erases in Zgoda and in every system, lists what was retained, and signs a certificate', async () => {
    crmMode = 'retained';
    const s = await createSubject(t);
    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await completeManual(id);
    const done = await waitForStatus(t, id, ['completed']);
    crmMode = 'done';
    // Art. 17(3): kept under a legal obligation, and said so; never reported as a full erasure.
    expect(done.resolution).toBe('partially_fulfilled');
    const crmTask = done.tasks.find((x: { system: string }) => x.system === 'crm');
    expect(crmTask).toMatchObject({
      status: 'retained',
      retainedReason: 'ustawa o rachunkowości art. 74',
      retainedUntil: '2031-01-01T00:00:00.000Z',
    });

    const subject = await t.request('GET', `/v1/subjects/${s.id}`);
    expect(subject.body.status).toBe('erased');
    expect(JSON.stringify(subject.body)).not.toContain(s.email);
    // Every system was told (Art. 19), with the identifiers captured before Zgoda erased its copy.
    for (const r of [shop, crm]) {
      const call = r.calls.find((c) => c.requestId === id)!;
      expect(call.action).toBe('erasure');
      expect(call.subject.identifiers).toContainEqual({ kind: 'email', value: s.email });
    }
    // LEGAL item 21: nothing personal left on the request or its tasks.
    const [req] = await t.dataSource.query(`SELECT contact_sealed, details_sealed FROM requests WHERE id = $1`, [id]);
    expect(req).toEqual({ contact_sealed: null, details_sealed: null });
    const snapshots = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM request_tasks WHERE request_id = $1 AND subject_sealed IS NOT NULL`,
      [id],
    );
    expect(snapshots[0].n).toBe(0);

    // The completion e-mail still reaches the person, listing what was kept.
    const mail = await eventually(async () => smtp.to(s.email).find((m) => /zrealizowane|completed/i.test(m.subject)));
    expect(mail.text).toContain('crm: ustawa o rachunkowości art. 74');

    const cert = await t.request('GET', `/v1/requests/${id}/certificate`);
    expect(cert.status).toBe(200);
    const jwks = await t.request('GET', '/v1/requests/jwks.json', undefined, { key: null });
    expect(jwks.status).toBe(200);
    const { payload, protectedHeader } = await compactVerify(cert.body.certificate, createLocalJWKSet(jwks.body));
    expect(protectedHeader.alg).toBe('EdDSA');
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({
      typ: 'zgoda-erasure-certificate',
      jti: id,
      ver: 3,
      subject: { id: s.id, found: true, suppressed: true },
    });
    expect(claims.request).toMatchObject({ resolution: 'partially_fulfilled', outcome: 'partially_erased' });
    expect(claims.systems.map((x: { key: string; outcome: string }) => `${x.key}:${x.outcome}`).sort()).toEqual([
      'archive:erased',
      'crm:retained',
      'shop:erased',
      'zgoda:erased',
    ]);
    expect(done.resolutionCode).toBeNull();
    // Zgoda looked at its own store before signing: nothing of the subject is left, and its e-mail is suppressed.
    expect(claims.residueCheck).toEqual({
      checkedAt: expect.any(String),
      dataKey: false,
      identifiers: 0,
      encryptedFields: 0,
      holdReasons: 0,
      consentEvidence: 0,
      clean: true,
    });
    expect(claims.systems.map((x: { key: string; status: string }) => `${x.key}:${x.status}`).sort()).toEqual([
      'archive:done',
      'crm:retained',
      'shop:done',
      'zgoda:done',
    ]);
    expect(JSON.stringify(claims)).not.toContain(s.email);
    const tampered = cert.body.certificate.replace(/\.(.)/, (_m: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    await expect(compactVerify(tampered, createLocalJWKSet(jwks.body))).rejects.toThrow();

    // A suppressed e-mail stays suppressed: importing it again cannot be contacted.
    const access = await t.request('GET', `/v1/requests/${id}/result`);
    expect(access.status).toBe(404);
    expect(access.body.code).toBe('result_not_available');
  });

  it('restricts instead of erasing under a legal hold, and says until when (Art. 17(3))', async () => {
    const s = await createSubject(t);
    const endsAt = new Date(Date.now() + 400 * 24 * 3600_000).toISOString();
    expect(
      (
        await t.request('POST', `/v1/subjects/${s.id}/holds`, {
          reason: 'Sprawa sądowa I C 1/26',
          endsAt,
          legalBasis: 'legal_claims',
        })
      ).status,
    ).toBe(201);
    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
    await completeManual(created.body.id);
    const done = await waitForStatus(t, created.body.id, ['completed']);
    expect(done.resolution).toBe('partially_fulfilled');
    expect(done.tasks.find((x: { system: string }) => x.system === 'zgoda')).toMatchObject({
      status: 'retained',
      retainedReason: 'legal_hold',
      retainedUntil: endsAt,
    });
    const subject = await t.request('GET', `/v1/subjects/${s.id}`);
    expect(subject.body.status).toBe('restricted');
    expect(subject.body.email).toBe(s.email);
    // The certificate says what was kept: the residue check is not clean, and nothing was suppressed.
    const cert = await t.request('GET', `/v1/requests/${created.body.id}/certificate`);
    expect(cert.body.payload).toMatchObject({
      request: { outcome: 'partially_erased' },
      subject: { id: s.id, found: true, suppressed: false },
      residueCheck: { dataKey: true, clean: false },
    });
    expect(cert.body.payload.residueCheck.identifiers).toBeGreaterThan(0);
  });

  it('accepts call-backs only with the system signature, and keeps the first answer', async () => {
    const s = await createSubject(t);
    const created = await t.request('POST', '/v1/requests', { type: 'restriction', subjectId: s.id, verified: true });
    const id = created.body.id;
    await completeManual(id);
    await waitForStatus(t, id, ['completed']);
    const call = crm.calls.find((c) => c.requestId === id)!;
    // Someone who knows the URL but not the secret cannot mark anything done.
    const forged = await crm.callBack(call, { status: 'failed', reason: 'x' }, 'another-secret-0123456789abcd');
    expect(forged.status).toBe(401);
    // A late duplicate with the right signature changes nothing.
    const late = await crm.callBack(call, { status: 'failed', reason: 'late' });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ status: 'done', accepted: false });
    const subject = await t.request('GET', `/v1/subjects/${s.id}`);
    expect(subject.body.status).toBe('restricted');
  });

  it('fails a request whose system keeps failing, never as success, and completes it after a retry', async () => {
    const sys = await createSystem(t, {
      key: 'flaky',
      name: 'Flaky',
      kind: 'webhook',
      dataCategories: ['x'],
      purposes: [],
      webhook: { url: flaky.url, secret: FLAKY_SECRET },
    });
    try {
      const s = await createSubject(t);
      const created = await t.request('POST', '/v1/requests', {
        type: 'rectification',
        subjectId: s.id,
        verified: true,
        changes: { lastName: 'Kowalska' },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const archive = created.body.tasks.find((x: { system: string }) => x.system === 'archive');
      await t.request('POST', `/v1/requests/${id}/tasks/${archive.id}/complete`, { status: 'done' });
      const failed = await waitForStatus(t, id, ['failed'], 30_000);
      expect(failed.resolution).toBeNull();
      expect(failed.tasks.find((x: { system: string }) => x.system === 'flaky')).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastError: 'http_503',
      });
      // Zgoda's own part was done meanwhile (Art. 16 without delay).
      expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.lastName).toBe('Kowalska');
      const call = flaky.calls.find((c) => c.requestId === id)!;
      expect(call.changes).toEqual({ lastName: 'Kowalska' });

      // The system recovers before staff retry: the retried task may run at once, so it must not see the outage.
      flakyFails = false;
      expect((await t.request('POST', `/v1/requests/${id}/retry`)).status).toBe(200);
      expect((await t.request('POST', `/v1/requests/${id}/retry`)).body.code).toBe('invalid_transition');
      const done = await waitForStatus(t, id, ['completed'], 30_000);
      expect(done.resolution).toBe('fulfilled');
      expect(done.tasks.find((x: { system: string }) => x.system === 'flaky')).toMatchObject({
        status: 'done',
        attempts: 1,
        lastError: null,
      });
    } finally {
      await t.request('PATCH', `/v1/systems/${sys.key}`, { active: false });
    }
  });
});
