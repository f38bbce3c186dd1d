import { eventually, startTestApp, TestApp } from '../support/test-app';
import { createSubject, createSystem, WebhookReceiver, waitForStatus } from './support';

const CLINIC_SECRET = 'clinic-secret-0123456789abcdef';
const SHOP_SECRET = 'shop-secret-0123456789abcdefgh';

/**
 * Issue 13 item 3, Art. 17(3)(b), (e): a legal hold keeps only the data categories it names. An erasure erases
 * the rest, keeps those (the systems are told which), says so per category in its certificate, and once the hold
 * ends a follow-up erasure finishes the job by itself.
 */
describe('requests: erasure under a hold on some data categories', () => {
  let t: TestApp;
  let clinic: WebhookReceiver;
  let shop: WebhookReceiver;

  beforeAll(async () => {
    const appUrl = () => t.baseUrl;
    clinic = await WebhookReceiver.start(CLINIC_SECRET, () => ({ status: 200, body: { status: 'done' } }), appUrl);
    shop = await WebhookReceiver.start(SHOP_SECRET, () => ({ status: 200, body: { status: 'done' } }), appUrl);
    t = await startTestApp({
      role: 'all',
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: true, REQUEST_SWEEP_INTERVAL_MS: 300 },
    });
    await createSystem(t, {
      key: 'clinic',
      name: 'Gabinet',
      kind: 'webhook',
      dataCategories: ['contact', 'eye_exam_records'],
      purposes: [],
      webhook: { url: clinic.url, secret: CLINIC_SECRET },
    });
    await createSystem(t, {
      key: 'shop',
      name: 'Sklep',
      kind: 'webhook',
      dataCategories: ['orders'],
      purposes: [],
      webhook: { url: shop.url, secret: SHOP_SECRET },
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([clinic?.close(), shop?.close()]);
  });

  it('refuses a hold without its Art. 17(3) ground, or with a category that is not a key', async () => {
    const s = await createSubject(t);
    const none = await t.request('POST', `/v1/subjects/${s.id}/holds`, { reason: 'Spór' });
    expect(none.status).toBe(422);
    expect(none.body.errors.map((e: { field: string }) => e.field)).toContain('legalBasis');
    const bad = await t.request('POST', `/v1/subjects/${s.id}/holds`, {
      reason: 'Spór',
      legalBasis: 'legal_claims',
      categories: ['Eye Exams!'],
    });
    expect(bad.status).toBe(422);
    const noOffset = await t.request('POST', `/v1/subjects/${s.id}/holds`, {
      reason: 'Spór',
      legalBasis: 'legal_claims',
      until: '2031-01-01T00:00:00',
    });
    expect(noOffset.status).toBe(422);
  });

  it('erases what is not held, keeps the held categories restricted, and finishes when the hold ends', async () => {
    const s = await createSubject(t);
    const until = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const hold = await t.request('POST', `/v1/subjects/${s.id}/holds`, {
      reason: 'Sprawa o błąd w sztuce I C 9/26',
      legalBasis: 'legal_claims',
      categories: ['eye_exam_records'],
      until,
    });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ legalBasis: 'legal_claims', categories: ['eye_exam_records'], until });

    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const done = await waitForStatus(t, id, ['completed']);
    expect(done.resolution).toBe('partially_fulfilled');

    // The clinic is told to keep the exam records and erase the rest; the shop, holding nothing held, erases all.
    const kept = [{ category: 'eye_exam_records', legalBasis: 'legal_claims', until }];
    expect(clinic.calls.find((c) => c.requestId === id)).toMatchObject({ action: 'erasure', retain: kept });
    expect(shop.calls.find((c) => c.requestId === id)!.retain).toBeUndefined();
    const task = (key: string) => done.tasks.find((x: { system: string }) => x.system === key);
    expect(task('clinic')).toMatchObject({
      status: 'retained',
      retainedReason: 'legal_hold',
      retainedUntil: until,
      retainedCategories: kept,
    });
    expect(task('shop')).toMatchObject({ status: 'done', retainedCategories: null });
    expect(task('zgoda')).toMatchObject({ status: 'retained', retainedReason: 'legal_hold', retainedUntil: until });
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.status).toBe('restricted');

    // The certificate says, per system and data category, what was erased and what was kept, on which ground.
    const cert = (await t.request('GET', `/v1/requests/${id}/certificate`)).body.payload;
    const lines = (key: string) => cert.systems.find((x: { key: string }) => x.key === key).categories;
    expect(cert.ver).toBe(3);
    expect(lines('clinic')).toEqual([
      { category: 'contact', outcome: 'erased' },
      { category: 'eye_exam_records', outcome: 'retained', legalBasis: 'legal_claims', until },
    ]);
    expect(lines('shop')).toEqual([{ category: 'orders', outcome: 'erased' }]);
    expect(new Set(lines('zgoda').map((l: { outcome: string }) => l.outcome))).toEqual(
      new Set(['restricted_until_hold_ends']),
    );
    expect(JSON.stringify(cert)).not.toContain('I C 9/26');

    // While the hold stands, the sweep files nothing.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await t.request('GET', `/v1/requests?subjectId=${s.id}`)).body.items).toHaveLength(1);

    // The hold is released: a follow-up erasure reaches only the clinic and Zgoda, and erases what was kept.
    expect((await t.request('DELETE', `/v1/subjects/${s.id}/holds/${hold.body.id}`)).status).toBe(204);
    const followUp = await eventually(async () => {
      const list = (await t.request('GET', `/v1/requests?subjectId=${s.id}`)).body.items as { id: string }[];
      return list.find((r) => r.id !== id) ?? null;
    }, 15_000);
    const finished = await waitForStatus(t, followUp.id, ['completed']);
    expect(finished).toMatchObject({ type: 'erasure', source: 'hold_ended', follows: id, resolution: 'fulfilled' });
    expect(finished.tasks.map((x: { system: string }) => x.system).sort()).toEqual(['clinic', 'zgoda']);
    const last = clinic.calls.filter((c) => c.action === 'erasure').at(-1)!;
    expect(last.requestId).toBe(followUp.id);
    expect(last.retain).toBeUndefined();
    expect(shop.calls.filter((c) => c.subject.id === s.id)).toHaveLength(1);
    expect((await t.request('GET', `/v1/subjects/${s.id}`)).body.status).toBe('erased');
    const second = (await t.request('GET', `/v1/requests/${followUp.id}/certificate`)).body.payload;
    expect(second.request).toMatchObject({ follows: id, outcome: 'erased' });
    expect(second.residueCheck.clean).toBe(true);

    // One follow-up only, however many sweeps run.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await t.request('GET', `/v1/requests?subjectId=${s.id}`)).body.items).toHaveLength(2);
  });

  it('finishes the erasure by itself when a hold runs out at its `until`', async () => {
    const s = await createSubject(t);
    const until = new Date(Date.now() + 4000).toISOString();
    const hold = await t.request('POST', `/v1/subjects/${s.id}/holds`, {
      reason: 'Kontrola skarbowa',
      legalBasis: 'legal_obligation',
      until,
    });
    expect(hold.status).toBe(201);
    const created = await t.request('POST', '/v1/requests', { type: 'erasure', subjectId: s.id, verified: true });
    const done = await waitForStatus(t, created.body.id, ['completed']);
    // A hold naming no category keeps everything, everywhere.
    expect(done.tasks.every((x: { status: string }) => x.status === 'retained')).toBe(true);
    await eventually(async () => {
      const subject = (await t.request('GET', `/v1/subjects/${s.id}`)).body;
      return subject.status === 'erased' ? subject : null;
    }, 20_000);
    const list = (await t.request('GET', `/v1/requests?subjectId=${s.id}`)).body.items as { source: string }[];
    expect(list.map((r) => r.source).sort()).toEqual(['api', 'hold_ended']);
  });
});
