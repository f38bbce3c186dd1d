import type { Job } from 'bullmq';
import { ImportRunner } from '../../src/consent/import-runner.service';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { publishedPurpose, uniqueEmail } from './consent-fixtures';

/**
 * Issue 14 item 1: a company brings in the consent history it already has, as a job with progress. Rows keep
 * when they were expressed, go through the same rules as live decisions, are imported once however often the
 * file is sent, and a row that cannot be imported is named by row, field and code, never by its value.
 */
describe('consent: bulk import of consent history', () => {
  let t: TestApp;
  let news: string;
  let t0: number;

  beforeAll(async () => {
    t = await startTestApp({ role: 'all', env: { IMPORT_MAX_BYTES: 64 * 1024 } });
    news = await publishedPurpose(t, 'news', { channels: ['email'] });
    t0 = Date.now();
    // The rows below were expressed after the text was published, and before now.
    await new Promise((r) => setTimeout(r, 1500));
  });

  afterAll(() => t.close());

  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const put = (id: string, body: string, type = 'application/x-ndjson') =>
    t.request('PUT', `/v1/imports/${id}/file`, undefined, { raw: body, headers: { 'content-type': type } });

  async function runImport(lines: string[], extra: Record<string, unknown> = {}) {
    const created = await t.request('POST', '/v1/imports', {
      defaults: { locale: 'pl', version: 1, source: { method: 'import', location: 'newsletter-export' } },
      ...extra,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('awaiting_file');
    const queued = await put(created.body.id, `${lines.join('\n')}\n`);
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    return eventually(async () => {
      const r = await t.request('GET', `/v1/imports/${created.body.id}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 20_000);
  }

  it('imports rows with their own times, once, naming the rows it could not import', async () => {
    const anna = uniqueEmail('anna');
    const jan = uniqueEmail('jan');
    const gone = uniqueEmail('gone');
    const g = await t.request('POST', '/v1/subjects', { email: gone });
    expect((await t.request('POST', `/v1/subjects/${g.body.id}/erase`, { reason: 'staff:test' })).status).toBe(204);
    const row = (over: Record<string, unknown>) =>
      JSON.stringify({ purpose: news, channel: 'email', decision: 'granted', ...over });
    const lines = [
      row({ subject: { email: anna }, occurredAt: at(200) }),
      row({ subject: { email: anna }, decision: 'withdrawn', occurredAt: at(400) }),
      row({ subject: { email: jan }, occurredAt: at(300), externalEventId: 'nl-3' }),
      '{"not json',
      row({ subject: { email: jan } }),
      row({ subject: { email: jan }, occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
      row({ subject: { email: jan }, purpose: 'no-such-purpose', occurredAt: at(300) }),
      row({ subject: { email: gone }, occurredAt: at(300) }),
    ];
    const done = await runImport(lines);
    expect(done.rows).toEqual({ read: 8, imported: 3, skipped: 0, failed: 5 });
    expect(done.finishedAt).not.toBeNull();

    // The later expression stands: anna withdrew after she agreed; jan agreed.
    const check = (email: string) =>
      t.request('GET', `/v1/consents/check?purpose=${news}&channel=email&email=${encodeURIComponent(email)}`);
    expect((await check(anna)).body).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect((await check(jan)).body).toMatchObject({ allowed: true, reason: 'granted' });
    const janId = (await t.request('GET', `/v1/subjects?email=${encodeURIComponent(jan)}`)).body.items[0].id;
    const history = await t.request('GET', `/v1/subjects/${janId}/consents/history`);
    expect(history.body.items[0]).toMatchObject({ occurredAt: at(300), source: { method: 'import' } });

    const errors = await t.request('GET', `/v1/imports/${done.id}/errors`);
    expect(errors.status).toBe(200);
    expect(errors.headers.get('content-type')).toContain('text/csv');
    const csv = errors.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('row,field,code,message');
    const byRow = new Map(csv.slice(1).map((l) => [Number(l.split(',')[0]), l]));
    expect([...byRow.keys()].sort()).toEqual([4, 5, 6, 7, 8]);
    expect(byRow.get(4)).toContain('invalid_json');
    expect(byRow.get(5)).toContain('occurredAt,required');
    expect(byRow.get(6)).toContain('occurredAt');
    expect(byRow.get(7)).toContain('unknown_purpose');
    expect(byRow.get(8)).toContain('suppressed');
    for (const email of [anna, jan, gone]) expect(errors.text).not.toContain(email);

    // One hash-chained audit entry per batch with its counts, none per row (the chain stays whole).
    const batches = await t.request('GET', `/v1/audit?action=consent_import.batch&targetId=${done.id}`);
    expect(batches.body.items).toHaveLength(1);
    expect(batches.body.items[0].data).toMatchObject({
      rows: { from: 1, to: 8 },
      imported: 3,
      skipped: 0,
      failed: 5,
      subjectsCreated: 2,
    });
    const perRow = await t.request('GET', `/v1/audit?subjectId=${janId}`);
    expect(perRow.body.items.map((e: { action: string }) => e.action)).not.toContain('consent.granted');
    expect((await t.request('GET', '/v1/audit/verify')).body.valid).toBe(true);

    // The same file again imports nothing twice.
    const again = await runImport(lines);
    expect(again.rows).toEqual({ read: 8, imported: 0, skipped: 3, failed: 5 });
    const after = await t.request('GET', `/v1/subjects/${janId}/consents/history`);
    expect(after.body.items).toHaveLength(1);
  });

  it('brings in the texts agreed to before Zgoda, once, dated the earliest agreement', async () => {
    const purpose = await publishedPurpose(t, 'legacy', { channels: ['email'] });
    const old = { locale: 'pl', title: 'Newsletter (2023)', body: 'Chcę dostawać newsletter salonu Optyk.' };
    const [ola, ewa] = [uniqueEmail('ola'), uniqueEmail('ewa')];
    const lines = [
      JSON.stringify({
        subject: { email: ola },
        purpose,
        channel: 'email',
        decision: 'granted',
        occurredAt: '2023-05-01T10:00:00Z',
        text: old,
      }),
      JSON.stringify({
        subject: { email: ewa },
        purpose,
        channel: 'email',
        decision: 'granted',
        occurredAt: '2023-03-01T09:00:00Z',
        text: old,
      }),
    ];
    const done = await runImport(lines, { defaults: { source: { method: 'import' } } });
    const errors = (await t.request('GET', `/v1/imports/${done.id}/errors`)).text;
    expect(
      errors
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n'),
    ).toEqual(['row,field,code,message']);
    expect(done.rows).toEqual({ read: 2, imported: 2, skipped: 0, failed: 0 });
    const version = await t.request('GET', `/v1/purposes/${purpose}/texts/0`);
    expect(version.status).toBe(200);
    expect(version.body.texts).toEqual([
      expect.objectContaining({
        locale: 'pl',
        status: 'published',
        imported: true,
        rendered: old.body,
        publishedAt: '2023-03-01T09:00:00.000Z',
      }),
    ]);
    // The purpose's current text is still its own; the imported version counts for those who agreed to it.
    expect((await t.request('GET', `/v1/purposes/${purpose}`)).body.currentVersion).toBe(1);
    const check = await t.request(
      'GET',
      `/v1/consents/check?purpose=${purpose}&channel=email&email=${encodeURIComponent(ola)}`,
    );
    expect(check.body).toMatchObject({ allowed: true, version: 0, grantedAt: '2023-05-01T10:00:00.000Z' });
    const again = await runImport(lines, { defaults: { source: { method: 'import' } } });
    expect(again.rows).toEqual({ read: 2, imported: 0, skipped: 2, failed: 0 });
    expect((await t.request('GET', `/v1/purposes/${purpose}/texts/-1`)).status).toBe(404);
  });

  it('reads a newsletter tool export (CSV) through a mapping of its columns and values', async () => {
    const [a, b, c] = [uniqueEmail('sub'), uniqueEmail('unsub'), uniqueEmail('cleaned')];
    const created = await t.request('POST', '/v1/imports', {
      format: 'csv',
      mapping: {
        columns: { email: 'subject.email', status: 'decision', optin_time: 'occurredAt', optin_ip: 'evidence.ip' },
        values: { decision: { subscribed: 'granted', unsubscribed: 'withdrawn', cleaned: null } },
      },
      defaults: { purpose: news, channel: 'email', version: 1, locale: 'pl', source: { method: 'import' } },
    });
    expect(created.status).toBe(201);
    const csv = [
      'email,name,status,optin_time,optin_ip,confirm_time',
      `${a},"Nowak, Anna",subscribed,${at(500)},203.0.113.7,${at(600)}`,
      `${b},"Jan ""Janek"" Kowalski",unsubscribed,${at(550)},,`,
      `${c},,cleaned,${at(560)},,`,
      `${a},,pending,${at(700)},,`,
    ].join('\r\n');
    expect((await put(created.body.id, csv, 'application/x-ndjson')).status).toBe(415);
    expect((await put(created.body.id, csv, 'text/csv')).status).toBe(202);
    const done = await eventually(async () => {
      const r = await t.request('GET', `/v1/imports/${created.body.id}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 20_000);
    // subscribed and unsubscribed imported, cleaned skipped, an unmapped status is a row error.
    expect(done.rows).toEqual({ read: 4, imported: 2, skipped: 1, failed: 1 });
    const errors = (await t.request('GET', `/v1/imports/${created.body.id}/errors`)).text;
    expect(errors).toContain('4,decision,invalid');
    const check = (email: string) =>
      t.request('GET', `/v1/consents/check?purpose=${news}&channel=email&email=${encodeURIComponent(email)}`);
    expect((await check(a)).body).toMatchObject({ allowed: true });
    expect((await check(b)).body).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect((await t.request('GET', `/v1/subjects?email=${encodeURIComponent(c)}`)).body.items).toHaveLength(0);
    const bad = await t.request('POST', '/v1/imports', { format: 'csv' });
    expect(bad.status).toBe(422);
  });

  it('finishes an import whose rows break one field two ways, with one error per row and field', async () => {
    // No version and no locale anywhere: class-validator reports two messages for each field, which once made the
    // errors' upsert touch a row twice, failed the batch and left the import running on every retry.
    const created = await t.request('POST', '/v1/imports', {
      defaults: { purpose: news, channel: 'email', source: { method: 'import' } },
    });
    const line = JSON.stringify({ subject: { email: uniqueEmail('twice') }, decision: 'granted', occurredAt: at(300) });
    expect((await put(created.body.id, `${line}\n`)).status).toBe(202);
    const done = await eventually(async () => {
      const r = await t.request('GET', `/v1/imports/${created.body.id}`);
      return r.body.status === 'completed' ? r.body : null;
    }, 20_000);
    expect(done.rows).toEqual({ read: 1, imported: 0, skipped: 0, failed: 1 });
    const errors = (await t.request('GET', `/v1/imports/${created.body.id}/errors`)).text.trim().split(/\r?\n/);
    expect(errors.filter((l) => l.startsWith('1,version,'))).toHaveLength(1);
    expect(errors.find((l) => l.startsWith('1,version,'))).toContain('; ');
  });

  it('marks an import failed when its last attempt fails, instead of leaving it running for ever', async () => {
    const created = await t.request('POST', '/v1/imports', {
      defaults: { purpose: news, channel: 'email', locale: 'pl', version: 1, source: { method: 'import' } },
    });
    const id = created.body.id as string;
    // This import's batches cannot commit: its counters cannot move (a fault of the database, on every attempt).
    await t.asOwner(`
      CREATE FUNCTION fail_import() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'batch refused'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_import BEFORE UPDATE OF rows_read ON consent_imports
        FOR EACH ROW WHEN (NEW.id = '${id}' AND NEW.rows_read > OLD.rows_read)
        EXECUTE FUNCTION fail_import();`);
    try {
      const line = JSON.stringify({
        subject: { email: uniqueEmail('fails') },
        decision: 'granted',
        occurredAt: at(300),
      });
      expect((await put(id, `${line}\n`)).status).toBe(202);
      const runner = t.get(ImportRunner);
      const attempt = (n: number) => ({ attemptsMade: n, opts: { attempts: 8 } }) as Job;
      // Not the last attempt: the retry will resume, so the import stays as it is.
      await expect(runner.run({ importId: id }, attempt(0))).rejects.toThrow('batch refused');
      expect((await t.request('GET', `/v1/imports/${id}`)).body.status).toBe('running');
      await expect(runner.run({ importId: id }, attempt(7))).rejects.toThrow('batch refused');
      const failed = (await t.request('GET', `/v1/imports/${id}`)).body;
      expect(failed.status).toBe('failed');
      expect(failed.finishedAt).not.toBeNull();
      const audit = await t.request('GET', `/v1/audit?action=consent_import.failed&targetId=${id}`);
      expect(audit.body.items).toHaveLength(1);
      // The error's kind only, never a message that could quote the file.
      expect(audit.body.items[0].data).toEqual({ error: 'QueryFailedError', rowsRead: 0 });
      // A later delivery of the same job finds nothing to do.
      await expect(runner.run({ importId: id }, attempt(0))).resolves.toEqual({ outcome: 'nothing_to_do' });
    } finally {
      await t.asOwner('DROP TRIGGER fail_import ON consent_imports; DROP FUNCTION fail_import();');
    }
  });

  it('checks without writing in a dry run', async () => {
    const email = uniqueEmail('dry');
    const done = await runImport(
      [
        JSON.stringify({
          subject: { email },
          purpose: news,
          channel: 'email',
          decision: 'granted',
          occurredAt: at(250),
        }),
      ],
      { dryRun: true },
    );
    expect(done).toMatchObject({ dryRun: true, rows: { read: 1, imported: 1, skipped: 0, failed: 0 } });
    const found = await t.request('GET', `/v1/subjects?email=${encodeURIComponent(email)}`);
    expect(found.body.items).toHaveLength(0);
  });

  it('refuses a file too large (413), of the wrong type (415), twice (409), and a key without the scope (403)', async () => {
    const created = await t.request('POST', '/v1/imports', {});
    const big = await put(created.body.id, 'x'.repeat(70 * 1024));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('file_too_large');
    expect((await t.request('GET', `/v1/imports/${created.body.id}`)).body.status).toBe('awaiting_file');
    const wrong = await put(created.body.id, 'a,b\n', 'text/plain');
    expect(wrong.status).toBe(415);

    const cancelled = await t.request('POST', `/v1/imports/${created.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    const late = await put(created.body.id, '{}\n');
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('import_not_awaiting_file');
    expect((await t.request('GET', '/v1/imports/6f1c1f54-8d55-4f5e-9a55-6c1d5f1e0b11')).status).toBe(404);

    const reader = await t.request('POST', '/v1/api-keys', { name: 'reader', scopes: ['consent:read'] });
    expect((await t.request('POST', '/v1/imports', {}, { key: reader.body.key })).status).toBe(403);
  });
});
