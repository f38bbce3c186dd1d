import { DecisionRowsService } from '../../src/consent/decision-rows.service';
import { SubjectRightsService } from '../../src/subjects/subject-rights.service';
import { checkedFetch } from '../support/contract';
import { startTestApp, TestApp } from '../support/test-app';
import { addAndPublish, createSubject, grant, publishedPurpose, uniqueEmail } from './consent-fixtures';

/*
 * Issue 16 item 1: the kept decision rows equal what the rules make of the subject's history now, after every kind of
 * change that alters a decision; the checks answer from them; a row past its time is decided again. The reference is
 * the single check with the rows taken away (it then decides from the subject and its states).
 */
describe('consent: decision rows kept in the transaction of every change', () => {
  let t: TestApp;
  let news: string;
  let notices: string;
  /** The purpose of the tests that do not change its rules. */
  let pair: string;

  interface Row {
    purpose_key: string;
    channel: string;
    subject_id: string;
    reason: string;
    valid_until: Date | null;
  }
  const rowsOf = (ids: string[]) =>
    t.dataSource.query(
      `SELECT purpose_key, channel, subject_id::text, reason, valid_until FROM decision_rows
        WHERE subject_id = ANY($1::uuid[]) ORDER BY 1, 2, 3`,
      [ids],
    ) as Promise<Row[]>;
  const check = async (purpose: string, channel: string, subjectId: string) => {
    const res = await t.request(
      'GET',
      `/v1/consents/check?purpose=${purpose}&channel=${channel}&subjectId=${subjectId}`,
    );
    expect(res.status).toBe(200);
    return res.body as { reason: string; allowed: boolean };
  };
  const checkBy = async (purpose: string, identifier: Record<string, string>) => {
    const query = new URLSearchParams({ purpose, channel: 'email', ...identifier });
    const res = await t.request('GET', `/v1/consents/check?${query.toString()}`);
    expect(res.status).toBe(200);
    return res.body as { reason: string; allowed: boolean };
  };
  const batch = async (purpose: string, channel: string, subjectIds: string[]) => {
    const res = await t.request('POST', '/v1/consents/check', { purpose, channel, subjectIds });
    expect(res.status).toBe(200);
    return (res.body.results as { reason: string }[]).map((r) => r.reason);
  };
  const record = (subjectId: string, purpose: string, over: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/subjects/${subjectId}/consents`, { purpose, ...grant(over) }).then((r) => {
      expect(r.status).toBe(201);
    });

  /**
   * Every (subject, purpose) with a consent state has a row per channel the purpose offers, none other; each row's
   * reason is the decision made without rows; the rows decided afresh are the same rows; the checks read them.
   */
  async function expectRowsAgree(ids: string[]): Promise<Row[]> {
    const rows = await rowsOf(ids);
    const states = (await t.dataSource.query(
      `SELECT DISTINCT s.subject_id::text, s.purpose_key, p.channels FROM consent_state s
         JOIN purposes p ON p.key = s.purpose_key WHERE s.subject_id = ANY($1::uuid[])`,
      [ids],
    )) as { subject_id: string; purpose_key: string; channels: string[] }[];
    const expected = states.flatMap((s) => s.channels.map((c) => `${s.purpose_key}|${c}|${s.subject_id}`)).sort();
    expect(rows.map((r) => `${r.purpose_key}|${r.channel}|${r.subject_id}`).sort()).toEqual(expected);
    // Each purpose and channel's batch answer, as text: the kept answers, written by PostgreSQL, must be the very
    // bytes the live decisions give once the rows are gone.
    const groups = [...new Set(rows.map((r) => `${r.purpose_key}|${r.channel}`))].map((g) => g.split('|'));
    const batchTexts = () =>
      Promise.all(
        groups.map(async ([purpose, channel]) => {
          const subjectIds = rows
            .filter((r) => r.purpose_key === purpose && r.channel === channel)
            .map((r) => r.subject_id);
          const res = await t.request('POST', '/v1/consents/check', { purpose, channel, subjectIds });
          expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
          return res.text.replace(/^\{"decisionId":"[0-9a-f-]{36}",/, '');
        }),
      );
    const keptTexts = await batchTexts();
    await t.asOwner(`DELETE FROM decision_rows WHERE subject_id IN (${ids.map((id) => `'${id}'`).join(', ')})`);
    expect(await batchTexts()).toEqual(keptTexts);
    for (const r of rows) {
      const live = await check(r.purpose_key, r.channel, r.subject_id);
      expect([r.purpose_key, r.channel, r.subject_id, r.reason]).toEqual([
        r.purpose_key,
        r.channel,
        r.subject_id,
        live.reason,
      ]);
    }
    await t.dataSource.transaction((m) => t.get(DecisionRowsService).refresh(m, ids));
    expect(await rowsOf(ids)).toEqual(rows);
    for (const r of rows) {
      expect((await check(r.purpose_key, r.channel, r.subject_id)).reason).toBe(r.reason);
      expect(await batch(r.purpose_key, r.channel, [r.subject_id])).toEqual([r.reason]);
    }
    return rows;
  }

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    news = await publishedPurpose(t, 'rows-news', { marketing: true, channels: ['email', 'sms'] });
    notices = await publishedPurpose(t, 'rows-notices', {
      marketing: false,
      legalBasis: 'legitimate_interests',
      channels: ['email', 'post'],
    });
    pair = await publishedPurpose(t, 'rows-pair', { marketing: true, channels: ['email', 'sms'] });
  });
  afterAll(() => t.close());

  it('follows grants, withdrawals, restriction, objection, birth date, merge, erasure and re-consent', async () => {
    const a = await createSubject(t);
    const b = await createSubject(t);
    const c = await createSubject(t);
    const ids = [a, b, c];

    await record(a, news);
    await record(b, news, { channel: 'sms' });
    await record(c, notices);
    let rows = await expectRowsAgree(ids);
    // Another channel's grant shows on the channel without one.
    expect(rows.find((r) => r.subject_id === b && r.purpose_key === news && r.channel === 'email')?.reason).toBe(
      'channel_not_consented',
    );

    await record(a, news, { decision: 'withdrawn' });
    await record(a, news, { channel: 'sms', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    rows = await expectRowsAgree(ids);
    // The sms grant's expiry bounds the email row too (channel_not_consented ends with it).
    const aEmail = rows.find((r) => r.subject_id === a && r.purpose_key === news && r.channel === 'email')!;
    expect(aEmail.reason).toBe('withdrawn');
    expect(rows.find((r) => r.subject_id === a && r.channel === 'sms')!.valid_until).not.toBeNull();

    expect((await t.request('POST', `/v1/subjects/${b}/restriction`, { reason: 'accuracy_contested' })).status).toBe(
      200,
    );
    await expectRowsAgree(ids);
    const lifted = await t.request('DELETE', `/v1/subjects/${b}/restriction`, {
      toldBy: 'phone',
      toldAt: new Date().toISOString(),
    });
    expect(lifted.status).toBe(200);
    await expectRowsAgree(ids);

    await t.dataSource.transaction((m) => t.get(SubjectRightsService).setObjection(m, a, 'direct_marketing'));
    rows = await expectRowsAgree(ids);
    expect(rows.filter((r) => r.subject_id === a && r.purpose_key === news).map((r) => r.reason)).toEqual([
      'objected',
      'objected',
    ]);

    // A child's consent needs a guardian: a birth date that makes b twelve turns b's own grant into under_age.
    const twelve = new Date(Date.now() - 12 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    expect((await t.request('PATCH', `/v1/subjects/${b}`, { birthDate: twelve })).status).toBe(200);
    rows = await expectRowsAgree(ids);
    expect(rows.find((r) => r.subject_id === b && r.channel === 'sms')!.reason).toBe('under_age');

    expect((await t.request('POST', `/v1/subjects/${c}/merge`, { mergedId: b })).status).toBe(200);
    rows = await expectRowsAgree([c]);
    expect(await rowsOf([b])).toEqual([]);
    expect(rows.some((r) => r.subject_id === c && r.purpose_key === news)).toBe(true);

    expect((await t.request('POST', `/v1/subjects/${a}/erase`, { reason: 'staff:test' })).status).toBe(204);
    rows = await expectRowsAgree([a, c]);
    expect(rows.filter((r) => r.subject_id === a).every((r) => r.reason === 'erased')).toBe(true);

    // A text that asks for re-consent: every row of the purpose is decided again with it.
    const d = await createSubject(t);
    await record(d, news);
    await addAndPublish(t, news, true);
    rows = await expectRowsAgree([a, c, d]);
    expect(rows.filter((r) => r.subject_id === d).map((r) => r.reason)).toEqual([
      'reconsent_required',
      'channel_not_consented',
    ]);
    await record(d, news, { version: 2 });
    rows = await expectRowsAgree([a, c, d]);
    expect(rows.filter((r) => r.subject_id === d).map((r) => r.reason)).toEqual(['granted', 'channel_not_consented']);

    // A purpose that drops a channel: its rows go; the rest are decided with the purpose's new rules.
    expect((await t.request('PATCH', `/v1/purposes/${notices}`, { channels: ['email'] })).status).toBe(200);
    rows = await expectRowsAgree([a, c, d]);
    expect(rows.filter((r) => r.purpose_key === notices).map((r) => r.channel)).toEqual(['email']);
    // A field the rules do not read changes no decision: the rows are not written again.
    const decidedAt = () =>
      t.dataSource.query(`SELECT decided_at FROM decision_rows WHERE purpose_key = $1 ORDER BY subject_id`, [notices]);
    const before = await decidedAt();
    expect((await t.request('PATCH', `/v1/purposes/${notices}`, { description: 'Zawiadomienia' })).status).toBe(200);
    expect(await decidedAt()).toEqual(before);
  });

  it('answers a batch by id or e-mail from the rows, and decides a row past valid_until again', async () => {
    const email = uniqueEmail('rows');
    const s = await createSubject(t, { email });
    const other = await createSubject(t);
    await record(s, pair);
    await record(other, pair, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const byEmail = async (emails: string[]) => {
      const res = await t.request('POST', '/v1/consents/check', { purpose: pair, channel: 'email', emails });
      expect(res.status).toBe(200);
      return (res.body.results as { reason: string; subjectId?: string }[]).map((r) => r.reason);
    };
    expect(await batch(pair, 'email', [s, other])).toEqual(['granted', 'granted']);
    expect(await byEmail([email, uniqueEmail('nobody')])).toEqual(['granted', 'unknown_subject']);
    // A kept answer carries what a decision made without the row does: the consent, its version and times, to the
    // millisecond, in the same order.
    const single = async () => {
      const { decisionId: _id, ...rest } = (
        await t.request('GET', `/v1/consents/check?purpose=${pair}&channel=email&subjectId=${other}`)
      ).body as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const kept = await single();
    const keptInBatch = (
      await t.request('POST', '/v1/consents/check', { purpose: pair, channel: 'email', subjectIds: [other] })
    ).body.results[0] as Record<string, unknown>;
    await t.asOwner(`DELETE FROM decision_rows WHERE subject_id = '${other}'`);
    expect(kept).toContain('"validUntil"');
    expect(kept).toBe(await single());
    expect(JSON.stringify(keptInBatch)).toBe(JSON.stringify({ subjectId: other, ...JSON.parse(kept) }));
    // Written behind the service's back: the checks answer what the row says, so they read the row...
    await t.asOwner(`UPDATE decision_rows SET reason = 'refused' WHERE subject_id = '${s}' AND channel = 'email'`);
    expect(await batch(pair, 'email', [s, other, s.toUpperCase()])).toEqual(['refused', 'granted', 'refused']);
    expect(await byEmail([email.toUpperCase(), uniqueEmail('nobody')])).toEqual(['refused', 'unknown_subject']);
    expect(await check(pair, 'email', s)).toMatchObject({ allowed: false, reason: 'refused' });
    expect(await checkBy(pair, { email: email.toUpperCase() })).toMatchObject({ allowed: false, reason: 'refused' });
    // ...until the row's time has come: then it decides from the states.
    await t.asOwner(`UPDATE decision_rows SET valid_until = now() - interval '1 second' WHERE subject_id = '${s}'`);
    expect(await batch(pair, 'email', [s, other])).toEqual(['granted', 'granted']);
    expect(await byEmail([email])).toEqual(['granted']);
    expect(await check(pair, 'email', s)).toMatchObject({ allowed: true, reason: 'granted' });
    expect(await checkBy(pair, { email })).toMatchObject({ allowed: true, reason: 'granted' });
  });

  it('answers a check by an identifier on the suppression list from the row reason_if_suppressed', async () => {
    // An erased person's e-mail stays on the suppression list; a new subject may come to hold it.
    const email = uniqueEmail('rows-again');
    const gone = await createSubject(t, { email });
    expect((await t.request('POST', `/v1/subjects/${gone}/erase`, { reason: 'staff:request' })).status).toBe(204);
    const s = await createSubject(t, { email });
    await record(s, pair);
    const byEmail = await checkBy(pair, { email });
    const byId = await check(pair, 'email', s);
    expect(byEmail.reason).toBe('suppressed');
    await t.asOwner(
      `UPDATE decision_rows SET reason = 'refused', reason_if_suppressed = 'withdrawn'
        WHERE subject_id = '${s}' AND purpose_key = '${pair}' AND channel = 'email'`,
    );
    expect((await checkBy(pair, { email })).reason).toBe('withdrawn');
    expect((await check(pair, 'email', s)).reason).toBe('refused');
    const inBatch = await t.request('POST', '/v1/consents/check', { purpose: pair, channel: 'email', emails: [email] });
    expect(inBatch.body.results).toEqual([
      {
        email,
        allowed: false,
        reason: 'withdrawn',
        consentId: expect.any(String),
        version: 1,
        grantedAt: expect.any(String),
      },
    ]);
    await t.asOwner(`UPDATE decision_rows SET valid_until = now() - interval '1 second' WHERE subject_id = '${s}'`);
    expect((await checkBy(pair, { email })).reason).toBe(byEmail.reason);
    expect((await check(pair, 'email', s)).reason).toBe(byId.reason);
  });

  it('streams the audience from the rows once they are complete, deciding a row past valid_until again', async () => {
    const aud = await publishedPurpose(t, 'rows-aud', { marketing: true, channels: ['email', 'sms'] });
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => createSubject(t)));
    for (const s of [a, b, c]) await record(s, aud);
    await record(c, aud, { decision: 'withdrawn' });
    await record(d, aud, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const audience = async (purpose: string) => {
      const res = await checkedFetch(`${t.baseUrl}/v1/purposes/${purpose}/audience?channel=email`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { subjectId: string }).subjectId)
        .sort();
    };
    const live = [a, b, d].sort();
    expect(await audience(aud)).toEqual(live);
    // Written behind the service's back, the rows show in the stream, so it reads them...
    await t.asOwner(`UPDATE decision_rows SET reason = 'refused' WHERE subject_id = '${a}' AND purpose_key = '${aud}'`);
    await t.asOwner(`UPDATE decision_rows SET reason = 'granted' WHERE subject_id = '${c}' AND purpose_key = '${aud}'`);
    expect(await audience(aud)).toEqual([b, c, d].sort());
    // ...and a row past its time is decided again from the subject and its states, whatever it says.
    await t.asOwner(
      `UPDATE decision_rows SET valid_until = now() - interval '1 second'
        WHERE subject_id IN ('${a}', '${c}') AND purpose_key = '${aud}'`,
    );
    expect(await audience(aud)).toEqual(live);
    // Until the rows are complete (an upgraded installation before its rebuild) the stream reads the states.
    await t.asOwner(`UPDATE decision_rows SET reason = 'refused', valid_until = NULL WHERE subject_id = '${b}'`);
    await t.asOwner(`DELETE FROM decision_rows_built`);
    expect(await audience(aud)).toEqual(live);
    await t.get(DecisionRowsService).rebuildAll();
    expect(await t.dataSource.query(`SELECT 1 FROM decision_rows_built`)).toHaveLength(1);
    expect(await audience(aud)).toEqual(live);
    // A purpose on another basis lists those with a current grant; its rows say legal_basis for every state.
    const [e, f] = await Promise.all([createSubject(t), createSubject(t)]);
    for (const s of [e, f]) await record(s, notices);
    await record(f, notices, { decision: 'withdrawn' });
    const listed = await audience(notices);
    expect(listed).toContain(e);
    expect(listed).not.toContain(f);
    expect((await rowsOf([f])).find((r) => r.purpose_key === notices && r.channel === 'email')?.reason).toBe(
      'legal_basis',
    );
  });

  it('keeps both channels right when two grants for one subject commit side by side', async () => {
    const subjects = await Promise.all(Array.from({ length: 6 }, () => createSubject(t)));
    await Promise.all(subjects.flatMap((s) => [record(s, pair), record(s, pair, { channel: 'sms' })]));
    const rows = await expectRowsAgree(subjects);
    expect(rows.filter((r) => r.purpose_key === pair).every((r) => r.reason === 'granted')).toBe(true);
  });

  it('rebuilds every row from the states (after an upgrade, or rows lost or wrong)', async () => {
    const subjects = await Promise.all(Array.from({ length: 3 }, () => createSubject(t)));
    for (const s of subjects) await record(s, pair, { channel: 'sms' });
    const before = await expectRowsAgree(subjects);
    await t.asOwner(`DELETE FROM decision_rows WHERE subject_id = '${subjects[0]}'`);
    await t.asOwner(`UPDATE decision_rows SET reason = 'refused' WHERE subject_id = '${subjects[1]}'`);
    const report = await t.get(DecisionRowsService).rebuildAll();
    expect(report.subjects).toBeGreaterThanOrEqual(subjects.length);
    expect(await expectRowsAgree(subjects)).toEqual(before);
  });
});
