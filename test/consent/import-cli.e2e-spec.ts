import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { publishedPurpose, uniqueEmail } from './consent-fixtures';

/** `npm run import -- FILE`: streams a file to the running service and follows the import to its end (issue 14). */
describe('consent: the import CLI', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'all' });
  });

  afterAll(() => t.close());

  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '../../dist/src/cli/import.js'), ...args], {
        env: { ...process.env, ZGODA_URL: t.baseUrl, ZGODA_API_KEY: t.adminKey },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('imports a file, shows progress and ends with the counts', async () => {
    const news = await publishedPurpose(t, 'news', { channels: ['email'] });
    await new Promise((r) => setTimeout(r, 50));
    const at = new Date().toISOString();
    const dir = mkdtempSync(join(tmpdir(), 'zgoda-import-'));
    const file = join(dir, 'consents.ndjson');
    const rows = [uniqueEmail('a'), uniqueEmail('b'), uniqueEmail('c')].map((email) =>
      JSON.stringify({ subject: { email }, purpose: news, channel: 'email', decision: 'granted', occurredAt: at }),
    );
    writeFileSync(file, `${rows.join('\n')}\n`);
    const defaults = join(dir, 'defaults.json');
    writeFileSync(defaults, JSON.stringify({ locale: 'pl', version: 1, source: { method: 'import' } }));

    const run = await runCli([file, '--defaults', defaults]);
    expect(run.stderr).toContain('rows/s');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({
      status: 'completed',
      rows: { read: 3, imported: 3, skipped: 0, failed: 0 },
    });
    const missing = await runCli([join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
  });
});
