import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { createHash } from 'node:crypto';
import { AuditCheckpoints } from '../../src/audit/audit-checkpoints.service';
import { AuditSealer } from '../../src/audit/audit-sealer.service';
import { AuditTreeRepository } from '../../src/audit/audit-tree.repository';
import { verifyInclusion } from '../../src/audit/merkle';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { addAndPublish, createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('consent: records, history, as-of, receipts and proof', () => {
  let t: TestApp;
  let news: string;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'news', { channels: ['email', 'sms'] });
  });
  afterAll(() => t.close());

  it('records a grant with the text hash and a receipt that verifies offline with the JWKS alone', async () => {
    const subjectId = await createSubject(t);
    const res = await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: news,
      ...grant({
        evidence: {
          formId: 'signup',
          pageUrl: 'https://shop.example.com/signup',
          ip: '203.0.113.7',
          userAgent: 'UA/1',
        },
      }),
    });
    expect(res.status).toBe(201);
    const current = await t.request('GET', `/v1/purposes/${news}/texts/current?locale=pl`);
    expect(res.body).toMatchObject({
      subjectId,
      purpose: news,
      channel: 'email',
      version: 1,
      sha256: current.body.sha256,
      decision: 'granted',
      pending: false,
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const jwks = await t.request('GET', '/v1/receipts/jwks.json', undefined, { key: null });
    expect(jwks.status).toBe(200);
    const { payload, protectedHeader } = await compactVerify(res.body.receipt, createLocalJWKSet(jwks.body));
    expect(protectedHeader.alg).toBe('ES256');
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    expect(receipt).toMatchObject({
      version: 'KI-CR-v1.1.0',
      consentReceiptID: res.body.id,
      piiPrincipalId: subjectId,
      consentTimestamp: Math.floor(new Date(res.body.recordedAt).getTime() / 1000),
      collectionMethod: 'web',
      sensitive: false,
      eventState: 'granted',
      consentText: { purpose: news, version: 1, locale: 'pl', sha256: current.body.sha256 },
    });
    expect(receipt.piiControllers[0].piiController).toBeTruthy();
    expect(receipt.policyUrl).toMatch(/^http/);
    expect(receipt.services[0].purposes[0]).toMatchObject({
      purposeCategory: [news],
      consentType: 'EXPLICIT',
      piiCategory: ['contact'],
      thirdPartyDisclosure: true,
    });
    expect(receipt.services[0].purposes[0].termination).toBeTruthy();
    // Evidence is personal data: it is not in the receipt.
    expect(JSON.stringify(receipt)).not.toContain('203.0.113.7');

    // A forged receipt fails.
    const [h, p, s] = res.body.receipt.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...receipt, piiPrincipalId: 'someone-else' })).toString('base64url')}.${s}`;
    await expect(compactVerify(forged, createLocalJWKSet(jwks.body))).rejects.toThrow();
    void p;

    // Proof: the event, the exact text, the hash, the evidence, the audit trail.
    const proof = await t.request('GET', `/v1/subjects/${subjectId}/consents/${res.body.id}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.body.text.rendered).toBe(current.body.rendered);
    expect(proof.body.sha256).toBe(sha(proof.body.text.rendered));
    expect(proof.body.textHashMatches).toBe(true);
    expect(proof.body.evidence).toEqual({
      formId: 'signup',
      pageUrl: 'https://shop.example.com/signup',
      ip: '203.0.113.7',
      userAgent: 'UA/1',
    });
    expect(proof.body.evidenceHashMatches).toBe(true);
    expect(proof.body.receipt).toBe(res.body.receipt);
    expect(proof.body.audit.map((a: { action: string }) => a.action)).toEqual(['consent.granted']);
    expect(proof.body.audit[0].data).toMatchObject({ purpose: news, channel: 'email', version: 1 });
    // The audit entry carries ids and codes only.
    expect(JSON.stringify(proof.body.audit)).not.toContain('203.0.113.7');
    // Its place in the signed audit tree: unsealed here (no sequencer in the API role), then proven once sealed.
    expect(proof.body.audit[0]).toMatchObject({ leafHash: expect.stringMatching(/^[0-9a-f]{64}$/), position: null });
    const sealer = new AuditSealer(t.dataSource, t.get(AuditTreeRepository), t.get(AuditCheckpoints), t.env);
    await eventually(async () => {
      await sealer.sealAll();
      const again = await t.request('GET', `/v1/subjects/${subjectId}/consents/${res.body.id}/proof`);
      return again.body.audit[0].position !== null;
    }, 60_000);
    const checkpoint = (await t.get(AuditCheckpoints).issue())!;
    const entry = (await t.request('GET', `/v1/subjects/${subjectId}/consents/${res.body.id}/proof`)).body.audit[0];
    const inclusion = await t.request('GET', `/v1/audit/entries/${entry.seq}/proof?treeSize=${checkpoint.treeSize}`);
    expect(inclusion.body).toMatchObject({ position: entry.position, leafHash: entry.leafHash });
    expect(
      verifyInclusion(
        Buffer.from(entry.leafHash, 'hex'),
        entry.position,
        checkpoint.treeSize,
        (inclusion.body.path as string[]).map((h) => Buffer.from(h, 'hex')),
        Buffer.from(checkpoint.rootHash, 'hex'),
      ),
    ).toBe(true);

    const other = await createSubject(t);
    expect((await t.request('GET', `/v1/subjects/${other}/consents/${res.body.id}/proof`)).status).toBe(404);
  });

  it('keeps old receipts verifiable after a key rotation', async () => {
    const subjectId = await createSubject(t);
    const before = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    const rotated = await t.request('POST', '/v1/receipts/keys/rotate');
    expect(rotated.status).toBe(200);
    const after = await t.request('POST', `/v1/subjects/${subjectId}/consents`, {
      purpose: news,
      ...grant({ channel: 'sms' }),
    });
    expect(decodeProtectedHeader(after.body.receipt).kid).toBe(rotated.body.kid);
    expect(decodeProtectedHeader(before.body.receipt).kid).not.toBe(rotated.body.kid);
    const jwks = createLocalJWKSet((await t.request('GET', '/v1/receipts/jwks.json', undefined, { key: null })).body);
    await expect(compactVerify(before.body.receipt, jwks)).resolves.toBeTruthy();
    await expect(compactVerify(after.body.receipt, jwks)).resolves.toBeTruthy();
  });

  it.each([
    ['an unknown purpose', () => ({ purpose: 'no-such-purpose' }), 422, 'unknown_purpose'],
    ['an unpublished version', () => ({ version: 2 }), 422, 'unpublished_version'],
    ['a channel the purpose does not offer', () => ({ channel: 'push' }), 422, 'channel_not_offered'],
    ['a locale the version lacks', () => ({ locale: 'de' }), 422, 'locale_not_available'],
    ['an expiry in the past', () => ({ expiresAt: '2020-01-01T00:00:00Z' }), 422, 'validation_failed'],
    ['a pre-ticked default (no decision)', () => ({ decision: undefined }), 422, 'validation_failed'],
    ['an unknown source method', () => ({ source: { method: 'telepathy' } }), 422, 'validation_failed'],
    ['an unknown field', () => ({ extra: 1 }), 422, 'validation_failed'],
  ])('refuses %s', async (_n, over, status, code) => {
    const subjectId = await createSubject(t);
    const res = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant(), ...over() });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it('answers 404 unknown_subject for an unknown subject id', async () => {
    const res = await t.request('POST', '/v1/subjects/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11/consents', {
      purpose: news,
      ...grant(),
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('unknown_subject');
  });

  it('needs a guardian for a child under 16 on a consent-based purpose, but lets the child withdraw', async () => {
    const year = new Date().getUTCFullYear();
    const child = await createSubject(t, { birthDate: `${year - 12}-01-01` });
    const own = await t.request('POST', `/v1/subjects/${child}/consents`, { purpose: news, ...grant() });
    expect(own.status).toBe(422);
    expect(own.body.code).toBe('guardian_required');
    // The guardian must be named (Art. 8), and that name stays in the sealed evidence only.
    const unnamed = await t.request('POST', `/v1/subjects/${child}/consents`, {
      purpose: news,
      ...grant({ expressedBy: 'guardian' }),
    });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.errors.map((e: { field: string }) => e.field)).toContain('guardian');
    const byGuardian = await t.request('POST', `/v1/subjects/${child}/consents`, {
      purpose: news,
      ...grant({ expressedBy: 'guardian', guardian: { name: 'Jan Opiekun', relation: 'ojciec' } }),
    });
    expect(byGuardian.status).toBe(201);
    const proof = await t.request('GET', `/v1/subjects/${child}/consents/${byGuardian.body.id}/proof`);
    expect(proof.body.evidence).toEqual({ guardian: { name: 'Jan Opiekun', relation: 'ojciec' } });
    expect(proof.body.event).toMatchObject({ expressedBy: 'guardian' });
    const audit = await t.request('GET', `/v1/audit?subjectId=${child}`);
    expect(JSON.stringify(audit.body)).not.toContain('Opiekun');
    const withdrawn = await t.request('POST', `/v1/subjects/${child}/consents`, {
      purpose: news,
      ...grant({ decision: 'withdrawn' }),
    });
    expect(withdrawn.status).toBe(201);
    const adult = await createSubject(t, { birthDate: `${year - 30}-01-01` });
    expect((await t.request('POST', `/v1/subjects/${adult}/consents`, { purpose: news, ...grant() })).status).toBe(201);
  });

  it('records by identifier, creating the subject only when unknown and only when the request is valid', async () => {
    const email = uniqueEmail('form');
    const bad = await t.request('POST', '/v1/consents', { purpose: 'no-such', subject: { email }, ...grant() });
    expect(bad.body.code).toBe('unknown_purpose');
    const unknown = await t.request(
      'GET',
      `/v1/consents/check?purpose=${news}&channel=email&email=${encodeURIComponent(email)}`,
    );
    expect(unknown.body).toMatchObject({ allowed: false, reason: 'unknown_subject' });

    const first = await t.request('POST', '/v1/consents', { purpose: news, subject: { email }, ...grant() });
    expect(first.status).toBe(201);
    expect(first.body.subjectCreated).toBe(true);
    const second = await t.request('POST', '/v1/consents', {
      purpose: news,
      subject: { email: email.toUpperCase() },
      ...grant({ channel: 'sms' }),
    });
    expect(second.status).toBe(201);
    expect(second.body.subjectCreated).toBe(false);
    expect(second.body.subjectId).toBe(first.body.subjectId);
    const none = await t.request('POST', '/v1/consents', { purpose: news, subject: {}, ...grant() });
    expect(none.status).toBe(422);
  });

  it('lists the current state per purpose and channel, the history oldest first, and the state at any past time', async () => {
    const subjectId = await createSubject(t);
    const post = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant(body) });
    const g = await post({});
    await new Promise((r) => setTimeout(r, 20));
    const afterGrant = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const w = await post({ decision: 'withdrawn' });
    await post({ channel: 'sms', decision: 'refused' });

    const now = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
    const mine = now.body.items.filter((i: { purpose: string }) => i.purpose === news);
    expect(mine).toEqual([
      expect.objectContaining({
        channel: 'email',
        status: 'withdrawn',
        consentId: w.body.id,
        version: 1,
        latestVersion: 1,
      }),
      expect.objectContaining({ channel: 'sms', status: 'refused' }),
    ]);
    const asOf = await t.request('GET', `/v1/subjects/${subjectId}/consents?at=${encodeURIComponent(afterGrant)}`);
    const then = asOf.body.items.filter((i: { purpose: string }) => i.purpose === news);
    expect(then).toEqual([
      expect.objectContaining({
        channel: 'email',
        status: 'granted',
        consentId: g.body.id,
        grantedAt: g.body.recordedAt,
      }),
      expect.objectContaining({ channel: 'sms', status: 'none' }),
    ]);
    const before = await t.request('GET', `/v1/subjects/${subjectId}/consents?at=2001-01-01T00:00:00Z`);
    expect(
      before.body.items.filter((i: { purpose: string }) => i.purpose === news).map((i: { status: string }) => i.status),
    ).toEqual(['none', 'none']);
    expect((await t.request('GET', `/v1/subjects/${subjectId}/consents?at=yesterday`)).status).toBe(422);

    const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
    expect(history.body.items.map((e: { decision: string; channel: string }) => `${e.decision}:${e.channel}`)).toEqual([
      'granted:email',
      'withdrawn:email',
      'refused:sms',
    ]);
    expect(history.body.items[0]).toMatchObject({
      source: { method: 'web', location: 'signup-form' },
      expressedBy: 'subject',
    });
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of consent events', async () => {
    const subjectId = await createSubject(t);
    const g = await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant() });
    const ds = t.dataSource;
    // Even the tables' owner: the trigger refuses. The service's runtime role may not even try (issue 16).
    await expect(
      t.asOwner(`UPDATE consent_events SET decision = 'refused' WHERE id = $1`, [g.body.id]),
    ).rejects.toThrow(/append-only/);
    await expect(t.asOwner(`DELETE FROM consent_events WHERE id = $1`, [g.body.id])).rejects.toThrow(/append-only/);
    await expect(t.asOwner(`TRUNCATE consent_events`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM consent_events WHERE id = $1`, [g.body.id])).rejects.toThrow(
      /permission denied/,
    );
    const [row] = await ds.query(`SELECT decision FROM consent_events WHERE id = $1`, [g.body.id]);
    expect(row.decision).toBe('granted');
  });

  it('concurrent grants and withdrawals for one subject end with the projection equal to the last event', async () => {
    const subjectId = await createSubject(t);
    const decisions = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'withdrawn' : 'granted'));
    const results = await Promise.all(
      decisions.map((decision) =>
        t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: news, ...grant({ decision }) }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const [last] = await t.dataSource.query(
      `SELECT id, decision FROM consent_events WHERE subject_id = $1 AND purpose_key = $2 AND channel = 'email' ORDER BY seq DESC LIMIT 1`,
      [subjectId, news],
    );
    const [state] = await t.dataSource.query(
      `SELECT event_id, status FROM consent_state WHERE subject_id = $1 AND purpose_key = $2 AND channel = 'email'`,
      [subjectId, news],
    );
    expect(state).toEqual({ event_id: last.id, status: last.decision });
    // Event order and time order agree, so the as-of view now equals the projection.
    const asOf = await t.request(
      'GET',
      `/v1/subjects/${subjectId}/consents?at=${encodeURIComponent(new Date().toISOString())}`,
    );
    expect(
      asOf.body.items.find((i: { purpose: string; channel: string }) => i.purpose === news && i.channel === 'email'),
    ).toMatchObject({
      status: last.decision,
      consentId: last.id,
    });
    const check = await t.request('GET', `/v1/consents/check?purpose=${news}&channel=email&subjectId=${subjectId}`);
    expect(check.body.allowed).toBe(last.decision === 'granted');
  });

  it('honours Idempotency-Key on recording', async () => {
    const subjectId = await createSubject(t);
    const body = { purpose: news, ...grant() };
    const headers = { 'idempotency-key': `k-${subjectId}` };
    const a = await t.request('POST', `/v1/subjects/${subjectId}/consents`, body, { headers });
    const b = await t.request('POST', `/v1/subjects/${subjectId}/consents`, body, { headers });
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
    expect(history.body.items).toHaveLength(1);
  });

  it('a text published with requiresReconsent makes older grants stop counting', async () => {
    const key = await publishedPurpose(t, 'recons');
    const subjectId = await createSubject(t);
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: key, ...grant() });
    await addAndPublish(t, key, true);
    const check = await t.request('GET', `/v1/consents/check?purpose=${key}&channel=email&subjectId=${subjectId}`);
    expect(check.body).toMatchObject({ allowed: false, reason: 'reconsent_required', version: 1 });
    const states = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
    expect(states.body.items.find((i: { purpose: string }) => i.purpose === key)).toMatchObject({
      version: 1,
      latestVersion: 2,
      reconsentRequired: true,
    });
    await t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: key, ...grant({ version: 2 }) });
    const again = await t.request('GET', `/v1/consents/check?purpose=${key}&channel=email&subjectId=${subjectId}`);
    expect(again.body).toMatchObject({ allowed: true, reason: 'granted', version: 2 });
  });

  it('keeps when a decision was expressed apart from when it was recorded, and orders history by it (issue 14)', async () => {
    const timed = await publishedPurpose(t, 'timed', { channels: ['email'], validityDays: 30 });
    const subjectId = await createSubject(t);
    const post = (body: Record<string, unknown>) =>
      t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose: timed, ...grant(body) });
    const pause = () => new Promise((r) => setTimeout(r, 300));
    await pause();
    const earlier = new Date().toISOString();
    await pause();
    const live = await post({});
    expect(live.status).toBe(201);
    expect(live.body.occurredAt).toBe(live.body.recordedAt);

    // A withdrawal on a paper form signed before the live grant, typed in afterwards.
    const paper = await post({ decision: 'withdrawn', occurredAt: earlier, source: { method: 'store' } });
    expect(paper.status).toBe(201);
    expect(paper.body.occurredAt).toBe(earlier);
    expect(new Date(paper.body.recordedAt).getTime()).toBeGreaterThan(new Date(live.body.recordedAt).getTime());
    // The later expression wins: the person is still subscribed.
    const state = await t.request('GET', `/v1/subjects/${subjectId}/consents`);
    expect(state.body.items.find((i: { purpose: string }) => i.purpose === timed)).toMatchObject({
      status: 'granted',
      consentId: live.body.id,
    });
    const history = await t.request('GET', `/v1/subjects/${subjectId}/consents/history`);
    expect(history.body.items.map((e: { id: string }) => e.id)).toEqual([paper.body.id, live.body.id]);
    const asOf = await t.request(
      'GET',
      `/v1/subjects/${subjectId}/consents?at=${encodeURIComponent(new Date(Date.parse(earlier) + 1).toISOString())}`,
    );
    expect(asOf.body.items.find((i: { purpose: string }) => i.purpose === timed).status).toBe('withdrawn');

    // A grant expressed earlier counts its validity and its receipt from then.
    const back = await post({ occurredAt: earlier, channel: 'email' });
    expect(back.status).toBe(201);
    expect(Date.parse(back.body.expiresAt) - Date.parse(earlier)).toBe(30 * 86_400_000);
    const jwks = await t.request('GET', '/v1/receipts/jwks.json', undefined, { key: null });
    const { payload } = await compactVerify(back.body.receipt, createLocalJWKSet(jwks.body));
    expect(JSON.parse(new TextDecoder().decode(payload)).consentTimestamp).toBe(Math.floor(Date.parse(earlier) / 1000));

    const future = await post({ occurredAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.status).toBe(422);
    expect(future.body.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    const beforeText = await post({ occurredAt: '2001-01-01T00:00:00Z' });
    expect(beforeText.status).toBe(422);
    expect((await post({ occurredAt: '2026-01-01T10:00:00' })).status).toBe(422);
  });
});
