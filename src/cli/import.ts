import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';

/**
 * `npm run import -- FILE [--mapping MAPPING.json] [--defaults DEFAULTS.json] [--dry-run]` (issue 14 item 1):
 * streams a consent-history file (NDJSON, or CSV with a mapping) to a running service and shows its progress
 * (rows/s, ETA) until the import ends. ZGODA_URL (default http://localhost:3000) and ZGODA_API_KEY (a key with
 * imports:write) say where and as whom. Exit 0 when it completed, 1 when it failed or was cancelled.
 */
interface Options {
  file: string;
  mapping?: string;
  defaults?: string;
  dryRun: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { file: '', dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') opts.dryRun = true;
    else if (a === '--mapping') opts.mapping = argv[++i];
    else if (a === '--defaults') opts.defaults = argv[++i];
    else if (!opts.file) opts.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.file) throw new Error('usage: npm run import -- FILE [--mapping m.json] [--defaults d.json] [--dry-run]');
  return opts;
}

interface ImportView {
  id: string;
  status: string;
  rows: { read: number; imported: number; skipped: number; failed: number };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const base = (process.env.ZGODA_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const key = process.env.ZGODA_API_KEY ?? process.env.ADMIN_API_KEY;
  if (!key) throw new Error('set ZGODA_API_KEY to a key with imports:write');
  const auth = { authorization: `Bearer ${key}` };
  const csv = opts.file.toLowerCase().endsWith('.csv');
  // Before anything is created on the service: a file that is not there leaves no import behind.
  const size = statSync(opts.file).size;
  const json = (path?: string): unknown => (path ? JSON.parse(readFileSync(path, 'utf8')) : undefined);
  const created = await call<ImportView>(`${base}/v1/imports`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      format: csv ? 'csv' : 'ndjson',
      mapping: json(opts.mapping),
      defaults: json(opts.defaults),
      dryRun: opts.dryRun,
    }),
  });

  // Counted while it streams: the total the progress and the ETA are measured against.
  let lines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (const byte of chunk) if (byte === 10) lines += 1;
      done(null, chunk);
    },
  });
  process.stderr.write(`uploading ${opts.file} (${size.toLocaleString('en')} bytes) as import ${created.id}\n`);
  await call(`${base}/v1/imports/${created.id}/file`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': csv ? 'text/csv' : 'application/x-ndjson' },
    body: Readable.toWeb(createReadStream(opts.file).pipe(counter)) as unknown as RequestInit['body'],
    duplex: 'half',
  } as RequestInit);
  const total = Math.max(1, csv ? lines - 1 : lines);

  const started = Date.now();
  for (;;) {
    const view = await call<ImportView>(`${base}/v1/imports/${created.id}`, { headers: auth });
    const seconds = (Date.now() - started) / 1000;
    const rate = view.rows.read / Math.max(seconds, 0.001);
    const eta = rate > 0 ? Math.max(0, (total - view.rows.read) / rate) : NaN;
    const share = Math.min(1, view.rows.read / total);
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, ' ');
    process.stderr.write(
      `\r[${bar}] ${(share * 100).toFixed(0)}% ${view.rows.read}/${total} rows, ${rate.toFixed(0)} rows/s` +
        `${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''} (${view.status})   `,
    );
    if (['completed', 'failed', 'cancelled'].includes(view.status)) {
      process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify(view)}\n`);
      if (view.rows.failed) process.stderr.write(`row errors: GET ${base}/v1/imports/${view.id}/errors\n`);
      if (view.status !== 'completed') process.exitCode = 1;
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

main().catch((e: Error) => {
  process.stderr.write(`import failed: ${e.message}\n`);
  process.exit(2);
});
