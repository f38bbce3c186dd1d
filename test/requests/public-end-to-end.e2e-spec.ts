import { compactVerify, createLocalJWKSet } from 'jose';
import { grant, publishedPurpose } from '../consent/consent-fixtures';
import { SmtpCatcher } from '../support/smtp-catcher';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, download, TaskCall, unzip, WebhookReceiver } from './support';

const SHOP_SECRET = 'e2e-shop-secret-0123456789abcdef';
const CRM_SECRET = 'e2e-crm-secret-0123456789abcdefg';

/**
 * Issue 5 "Done when", first bullet: every request type filed by a customer on the public endpoint, the
 * verification e-mail caught by the test SMTP server, the link consumed, and the work done by the worker
 * across Zgoda's own store and two webhook systems: a shop answering at once and a CRM answering 202 and
 * calling back later.
 */
describe('requests: customer requests end to end over HTTP, worker running', () => {
  let t: TestApp;
  let smtp: SmtpCatcher;
  let shop: WebhookReceiver;
  let crm: WebhookReceiver;
  let marketing: string;
  // The CRM keeps an erasure's data under a legal obligation; `hold` keeps a task open until the test answers.
  let crmErasure: 'done' | 'retained' = 'done';
  let crmHold = false;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    const appUrl = () => t.baseUrl;
    shop = await WebhookReceiver.start(
      SHOP_SECRET,
      (call) =>
        call.action === 'access' || call.action === 'portability'
          ? { status: 200, body: { status: 'done', data: { orders: [{ number: 'E2E/1', total: '99.00' }] } } }
          : { status: 200, body: { status: 'done' } },
      appUrl,
    );
    crm = await WebhookReceiver.start(
      CRM_SECRET,
      (call) => {
        if (crmHold) return { status: 202 };
        if (call.action === 'access' || call.action === 'portability') {
          return {
            status: 202,
            delayMs: 300,
            callback: { status: 'done', data: { contacts: [{ channel: 'phone', note: 'CRM-LATE-7' }] } },
          };
        }
        if (call.action === 'erasure' && crmErasure === 'retained') {
          return {
            status: 202,
            delayMs: 300,
            callback: {
              status: 'retained',
              reason: 'ustawa o rachunkowości art. 74',
              retainedUntil: '2031-01-01T00:00:00Z',
            },
          };
        }
        return { status: 202, delayMs: 300, callback: { status: 'done' } };
      },
      appUrl,
    );
    t = await startTestApp({
      role: 'all',
      env: {
        SMTP_URL: smtp.url,
        PUBLIC_RATE_LIMIT_PER_MINUTE: 10_000,
        CONTROLLER_NAME: 'Optyk E2E sp. z o.o.',
        // The systems' receivers run on 127.0.0.1.
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: true,
      },
    });
    marketing = await publishedPurpose(t, 'e2e-newsletter', { channels: ['email'], marketing: true });
    await createSystem(t, {
      key: 'shop',
      name: 'Sklep',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [marketing],
      webhook: { url: shop.url, secret: SHOP_SECRET },
    });
    await createSystem(t, {
      key: 'crm',
      name: 'CRM',
      kind: 'webhook',
      dataCategories: ['contact_history'],
      purposes: [marketing],
      webhook: { url: crm.url, secret: CRM_SECRET },
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), shop?.close(), crm?.close()]);
  });

  /** A customer with a consent to the newsletter, so the next consent check has something to refuse. */
  async function customer(locale: 'pl' | 'en' = 'en') {
    const s = await createSubject(t, { locale });
    const g = await t.request('POST', `/v1/subjects/${s.id}/consents`, { purpose: marketing, ...grant() });
    expect(g.status).toBe(201);
    expect((await check(s.id)).reason).toBe('granted');
    return s;
  }

  const check = async (subjectId: string) =>
    (await t.request('GET', `/v1/consents/check?purpose=${marketing}&channel=email&subjectId=${subjectId}`)).body as {
      allowed: boolean;
      reason: string;
    };

  /** Files on the public endpoint, takes the link from the e-mail, looks at the page (GET), consumes it (POST). */
  async function fileAndVerify(email: string, body: Record<string, unknown>) {
    const filed = await t.request('POST', '/public/requests', { email, locale: 'en', ...body }, { key: null });
    expect(filed.status).toBe(202);
    expect(filed.body.status).toBe('accepted');
    const mail = await eventually(async () =>
      smtp
        .to(email)
        .filter((m) => m.text.includes('/public/verify?token='))
        .pop(),
    );
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
    const page = await t.request('GET', `/public/verify?token=${token}&lang=en`, undefined, { key: null });
    expect(page.status).toBe(200);
    const verified = await t.request('POST', '/public/verify', { token }, { key: null });
    expect(verified.status).toBe(200);
    expect(verified.body.outcome).toBe('verified');
    const statusUrl = new URL(verified.body.statusUrl as string);
    return { id: verified.body.requestId as string, statusPath: statusUrl.pathname + statusUrl.search };
  }

  async function completed(id: string) {
    return eventually(async () => {
      const r = await t.request('GET', `/v1/requests/${id}`);
      if (r.body.status === 'failed') throw new Error(`request failed: ${JSON.stringify(r.body.tasks)}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 30_000);
  }

  const callsFor = (r: WebhookReceiver, id: string) => r.calls.filter((c) => c.requestId === id);

  /** The completion e-mail's download link, and that link with the app's port. */
  async function downloadLink(email: string) {
    const mail = await eventually(async () => smtp.to(email).find((m) => m.text.includes('/result?token=')));
    const link = new URL(/(https?:\/\/\S+\/public\/requests\/\S+\/result\?token=\S+)/.exec(mail.text)![1]);
    return { url: `${t.baseUrl}${link.pathname}${link.search}`, token: link.searchParams.get('token')! };
  }

  /** What the passing of REQUEST_DOWNLOAD_TTL_DAYS does to a link: its expiry lies in the past. */
  async function expireDownloadLinks(requestId: string) {
    const res = (await t.dataSource.query(
      `UPDATE request_tokens SET expires_at = now() - interval '1 second'
        WHERE request_id = $1 AND purpose = 'download' RETURNING id`,
      [requestId],
    )) as [unknown[], number];
    expect(res[1]).toBeGreaterThan(0);
  }

  it('access: data from the shop, the late CRM and Zgoda in one package, a full report, a link that expires', async () => {
    const s = await customer();
    const { id, statusPath } = await fileAndVerify(s.email, { type: 'access' });
    const done = await completed(id);
    expect(done).toMatchObject({ type: 'access', source: 'portal', resolution: 'fulfilled', resultAvailable: true });
    expect(done.tasks.map((x: { system: string; status: string }) => `${x.system}:${x.status}`).sort()).toEqual([
      'crm:done',
      'shop:done',
      'zgoda:done',
    ]);
    expect(callsFor(shop, id)).toHaveLength(1);
    expect(callsFor(crm, id)).toHaveLength(1);
    // The time the clock ran before the person confirmed is recorded.
    expect(typeof done.verificationWaitSeconds).toBe('number');
    const [verifiedEntry] = (await t.dataSource.query(
      `SELECT data FROM audit_log WHERE action = 'request.status_changed' AND target_id = $1 AND data->>'to' = 'verified'`,
      [id],
    )) as { data: { from: string; by: string; waitedSeconds: number } }[];
    expect(verifiedEntry.data).toMatchObject({ from: 'awaiting_verification', by: 'email_link' });
    expect(verifiedEntry.data.waitedSeconds).toBe(done.verificationWaitSeconds);
    // Told at every step, in the language chosen on the portal.
    await eventually(async () => smtp.to(s.email).some((m) => /completed/.test(m.subject)) || null);
    expect(smtp.to(s.email).map((m) => m.subject)).toEqual(
      expect.arrayContaining([
        'Please confirm your request concerning personal data',
        'We have received your request concerning personal data',
        'Your request concerning personal data has been completed',
      ]),
    );
    // The acknowledgement carries its own link to the status page (Art. 12(1)), which opens without anything else.
    const ack = smtp.to(s.email).find((m) => m.subject === 'We have received your request concerning personal data')!;
    const statusLink = new URL(/(https?:\/\/\S+\/portal\/requests\/\S+\?token=[A-Za-z0-9_-]+)/.exec(ack.text)![1]);
    expect(statusLink.pathname).toBe(`/portal/requests/${id}`);
    const statusPage = await t.request('GET', `${statusLink.pathname}${statusLink.search}&lang=en`, undefined, {
      key: null,
      headers: { accept: 'text/html' },
    });
    expect(statusPage.status).toBe(200);
    expect(statusPage.text).toContain('access to personal data');

    const link = await downloadLink(s.email);
    const zip = await download(link.url);
    expect(zip.status).toBe(200);
    const files = await unzip(zip.body);
    const data = JSON.parse(files.get('data.json')!);
    const bySystem = Object.fromEntries(
      (data.systems as { key: string; data: Record<string, unknown[]> }[]).map((x) => [x.key, x.data]),
    );
    expect(bySystem.shop.orders).toEqual([{ number: 'E2E/1', total: '99.00' }]);
    expect(bySystem.crm.contacts).toEqual([{ channel: 'phone', note: 'CRM-LATE-7' }]);
    expect(JSON.stringify(bySystem.zgoda)).toContain(s.email);
    expect(files.get('csv/crm/contacts.csv')).toContain('CRM-LATE-7');
    const report = files.get('report.html')!;
    // LEGAL item 17 / Art. 15(1)-(3), in the language the customer chose.
    for (const text of [
      'Purposes of the processing',
      'Categories of personal data',
      'Recipients',
      'How long the data is kept',
      'rectification (Article 16)',
      'ul. Stawki 2, 00-193 Warszawa',
      'Source of the data',
      'Automated decision-making',
      'Consent history',
      'E2E/1',
      'CRM-LATE-7',
    ]) {
      expect(report).toContain(text);
    }

    // The customer's status link says it is done, without personal data.
    const status = await t.request('GET', statusPath, undefined, { key: null });
    expect(status.body).toMatchObject({ status: 'completed', resultAvailable: true, extended: false });
    expect(JSON.stringify(status.body)).not.toContain(s.email);

    // LEGAL item 22: once the link's time is over it fails, and nothing more is downloaded.
    await expireDownloadLinks(id);
    const late = await download(link.url);
    expect(late.status).toBe(410);
    const downloads = (await t.dataSource.query(
      `SELECT data->>'by' AS by FROM audit_log WHERE action = 'request.result_downloaded' AND target_id = $1`,
      [id],
    )) as { by: string }[];
    expect(downloads.map((d) => d.by)).toEqual(['subject']);
  });

  it('portability: the provided and observed data of every system, machine-readable, without the report', async () => {
    const s = await customer();
    const { id } = await fileAndVerify(s.email, { type: 'portability' });
    const done = await completed(id);
    expect(done.resolution).toBe('fulfilled');
    const link = await downloadLink(s.email);
    const files = await unzip((await download(link.url)).body);
    expect(files.has('report.html')).toBe(false);
    expect(files.has('schema.json')).toBe(true);
    const data = JSON.parse(files.get('data.json')!);
    expect(data.schemaVersion).toBe('1.0');
    const keys = (data.systems as { key: string }[]).map((x) => x.key).sort();
    expect(keys).toEqual(['crm', 'shop', 'zgoda']);
    expect(files.get('csv/shop/orders.csv')).toContain('E2E/1');
    expect(files.get('csv/crm/contacts.csv')).toContain('CRM-LATE-7');
    // LEGAL item 18: Zgoda's own records about handling requests are not data the person provided.
    expect([...files.keys()].some((f) => f.startsWith('csv/zgoda/request'))).toBe(false);
    // Issue 13 item 10: the systems are asked for portability with its scope (Art. 20(1)), not for an access copy.
    for (const r of [shop, crm]) {
      expect(callsFor(r, id).map((c) => c.action)).toEqual(['portability']);
      expect(callsFor(r, id)[0].scope).toEqual({
        providedBySubject: true,
        legalBases: ['consent', 'contract'],
        automatedMeansOnly: true,
      });
    }
    // Zgoda's own part: what the person provided and their own decisions, not its observations about them.
    const zgoda = (data.systems as { key: string; data: Record<string, Record<string, unknown>[]> }[]).find(
      (x) => x.key === 'zgoda',
    )!;
    expect(Object.keys(zgoda.data).sort()).toEqual(['consent_history', 'identifiers', 'profile']);
    expect(Object.keys(zgoda.data.profile[0]).sort()).toEqual(['birthDate', 'firstName', 'lastName', 'locale']);
  });

  it('erasure: a certificate listing every system, the CRM kept under the law, the data unreadable, the next check "erased"', async () => {
    crmErasure = 'retained';
    try {
      const s = await customer();
      const { id, statusPath } = await fileAndVerify(s.email, { type: 'erasure' });
      const done = await completed(id);
      expect(done.resolution).toBe('partially_fulfilled');
      expect(done.tasks.find((x: { system: string }) => x.system === 'crm')).toMatchObject({
        status: 'retained',
        retainedReason: 'ustawa o rachunkowości art. 74',
        retainedUntil: '2031-01-01T00:00:00.000Z',
      });
      // Every system was told (Art. 19), once.
      for (const r of [shop, crm]) {
        expect(callsFor(r, id).map((c) => c.action)).toEqual(['erasure']);
      }

      const cert = await t.request('GET', `/v1/requests/${id}/certificate`);
      const jwks = await t.request('GET', '/v1/requests/jwks.json', undefined, { key: null });
      const { payload } = await compactVerify(cert.body.certificate, createLocalJWKSet(jwks.body));
      const claims = JSON.parse(new TextDecoder().decode(payload));
      expect(claims.systems.map((x: { key: string; status: string }) => `${x.key}:${x.status}`).sort()).toEqual([
        'crm:retained',
        'shop:done',
        'zgoda:done',
      ]);
      expect(JSON.stringify(claims)).not.toContain(s.email);

      // Crypto-shredded: the subject's key is gone, so its ciphertexts can no longer be read.
      const keys = (await t.dataSource.query(`SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1`, [
        s.id,
      ])) as { n: number }[];
      expect(keys[0].n).toBe(0);
      const subject = await t.request('GET', `/v1/subjects/${s.id}`);
      expect(subject.body.status).toBe('erased');
      expect(JSON.stringify(subject.body)).not.toContain(s.email);
      expect(await check(s.id)).toMatchObject({ allowed: false, reason: 'erased' });
      // The suppression hash: the same address checked (or imported) again is never a fresh, contactable person.
      const byEmail = await t.request(
        'GET',
        `/v1/consents/check?purpose=${marketing}&channel=email&email=${encodeURIComponent(s.email)}`,
      );
      expect(byEmail.body).toMatchObject({ allowed: false, reason: 'suppressed' });

      // The customer's status link still works and offers the certificate.
      const status = await t.request('GET', statusPath, undefined, { key: null });
      expect(status.body).toMatchObject({ type: 'erasure', status: 'completed', resolution: 'partially_fulfilled' });
      const page = await t.request('GET', statusPath.replace('/public/', '/portal/') + '&lang=en', undefined, {
        key: null,
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain(`/portal/requests/${id}/certificate?token`);

      // Art. 19 (issue 13 item 11): the recipient named on the person's purpose, which no system stands for, is
      // listed for staff to tell; the person sees every system and recipient, and what was done.
      const full = await t.request('GET', `/v1/requests/${id}`);
      expect(full.body.recipients).toEqual([{ name: 'Mailer sp. z o.o.', toldAt: null, toldBy: null }]);
      expect(status.body.recipients).toEqual(
        expect.arrayContaining([
          { name: 'Sklep', done: true, system: 'shop' },
          { name: 'CRM', done: true, system: 'crm' },
          { name: 'Mailer sp. z o.o.', done: false },
        ]),
      );
      expect(page.text).toContain('Mailer sp. z o.o.: in progress');
      const unknown = await t.request('POST', `/v1/requests/${id}/recipients/told`, {
        name: 'Someone Else',
        toldBy: 'email',
        toldAt: new Date().toISOString(),
      });
      expect(unknown).toMatchObject({ status: 409, body: { code: 'unknown_recipient' } });
      const toldAt = new Date().toISOString();
      const told = await t.request('POST', `/v1/requests/${id}/recipients/told`, {
        name: 'Mailer sp. z o.o.',
        toldBy: 'email',
        toldAt,
      });
      expect(told.status).toBe(200);
      expect(told.body.recipients).toEqual([{ name: 'Mailer sp. z o.o.', toldAt, toldBy: 'email' }]);
      const after = await t.request('GET', statusPath.replace('/public/', '/portal/') + '&lang=en', undefined, {
        key: null,
        headers: { accept: 'text/html' },
      });
      expect(after.text).toContain('Mailer sp. z o.o.: told');
    } finally {
      crmErasure = 'done';
    }
  });

  it('rectification: Zgoda corrects its copy and passes the change to every system (Art. 16, 19)', async () => {
    const s = await customer();
    const { id } = await fileAndVerify(s.email, { type: 'rectification', changes: { lastName: 'Kowalska-Nowak' } });
    const done = await completed(id);
    expect(done.resolution).toBe('fulfilled');
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.lastName).toBe('Kowalska-Nowak');
    for (const r of [shop, crm]) {
      const [call] = callsFor(r, id) as TaskCall[];
      expect(call).toMatchObject({ action: 'rectification', changes: { lastName: 'Kowalska-Nowak' } });
    }
  });

  it('restriction: the decision API says no, and every system is told (Art. 18, 19)', async () => {
    const s = await customer();
    const { id } = await fileAndVerify(s.email, { type: 'restriction' });
    const done = await completed(id);
    expect(done.resolution).toBe('fulfilled');
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.status).toBe('restricted');
    expect(await check(s.id)).toMatchObject({ allowed: false, reason: 'restricted' });
    for (const r of [shop, crm]) expect(callsFor(r, id).map((c) => c.action)).toEqual(['restriction']);
  });

  it('objection to direct marketing: the decision API says no at once, and the marketing systems are told', async () => {
    const s = await customer();
    const { id } = await fileAndVerify(s.email, { type: 'objection', purposes: ['direct_marketing'] });
    // Art. 21(3): effective from intake, before the link was even consumed.
    expect(await check(s.id)).toMatchObject({ allowed: false, reason: 'objected' });
    const done = await completed(id);
    expect(done.resolution).toBe('fulfilled');
    for (const r of [shop, crm]) {
      const [call] = callsFor(r, id) as TaskCall[];
      expect(call).toMatchObject({ action: 'objection', purposes: ['direct_marketing'] });
    }
    expect(await check(s.id)).toMatchObject({ allowed: false, reason: 'objected' });
  });

  it('refuses details that do not fit the type, the same for every address (no lookup happens)', async () => {
    const s = await customer();
    for (const email of [s.email, 'nobody-e2e@example.com']) {
      const bad = await t.request(
        'POST',
        '/public/requests',
        { type: 'access', email, changes: { lastName: 'X' } },
        { key: null },
      );
      expect(bad.status).toBe(422);
      expect(bad.body.errors).toEqual([{ field: 'changes', message: 'changes are for rectification requests' }]);
      expect(JSON.stringify(bad.body)).not.toContain(email);
    }
    const noChanges = await t.request(
      'POST',
      '/public/requests',
      { type: 'rectification', email: s.email },
      { key: null },
    );
    expect(noChanges.status).toBe(422);
  });

  it('an extension shows on the customer’s status page and in the status JSON, without the reasons', async () => {
    crmHold = true;
    const s = await customer();
    const { id, statusPath } = await fileAndVerify(s.email, { type: 'access' });
    try {
      // The CRM accepted the task and has not answered yet: the request waits for it.
      const waiting = await eventually(async () => {
        const r = await t.request('GET', `/v1/requests/${id}`);
        return r.body.status === 'awaiting_recipients' ? r.body : null;
      });
      const before = await t.request('GET', statusPath, undefined, { key: null });
      expect(before.body).toMatchObject({ extended: false, extensionMonths: 0, dueAt: waiting.dueAt });

      const reason = 'Żądanie obejmuje archiwum papierowe z wielu lat';
      const ext = await t.request('POST', `/v1/requests/${id}/extend`, { months: 2, reason });
      expect(ext.status).toBe(200);
      const after = await t.request('GET', statusPath, undefined, { key: null });
      expect(after.body).toMatchObject({ extended: true, extensionMonths: 2, dueAt: ext.body.extendedDueAt });
      expect(JSON.stringify(after.body)).not.toContain('archiwum');
      // The reasons went to the person by e-mail (Art. 12(3)), in their language.
      const told = await eventually(async () => smtp.to(s.email).find((m) => /extended/.test(m.subject)));
      expect(told.subject).toBe('The deadline for replying to your request concerning personal data has been extended');
      expect(told.text).toContain(reason);

      const page = await t.request('GET', statusPath.replace('/public/', '/portal/') + '&lang=en', undefined, {
        key: null,
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain('The deadline was extended under Art. 12(3) GDPR');
      expect(page.text).not.toContain('archiwum');
      // An access request waits for a system's answer: it tells no recipients (that is Art. 19's erasure and kin).
      expect(page.text).toContain('Waiting for our systems to answer');
      expect(page.text).not.toContain('Informing recipients');
      const pl = await t.request('GET', statusPath.replace('/public/', '/portal/') + '&lang=pl', undefined, {
        key: null,
        headers: { accept: 'text/html' },
      });
      expect(pl.text).toContain('Termin przedłużono zgodnie z art. 12 ust. 3 RODO');
    } finally {
      crmHold = false;
      const [call] = callsFor(crm, id);
      if (call) await crm.callBack(call, { status: 'done', data: {} });
    }
    expect((await completed(id)).resolution).toBe('fulfilled');
    // A closed request's page no longer talks about the deadline.
    const page = await t.request('GET', statusPath.replace('/public/', '/portal/') + '&lang=en', undefined, {
      key: null,
      headers: { accept: 'text/html' },
    });
    expect(page.text).not.toContain('The deadline was extended');
  });
});
