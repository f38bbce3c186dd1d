import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { freePort } from '../support/private-redis';

/*
 * `npm run mail:catch`, the README's local stand-in for a mail relay: every message is kept, even when many arrive
 * in the same millisecond (a batch of notices), which used to overwrite each other under a time-only file name.
 */
describe('scripts/mail-catcher.js', () => {
  let dir: string;
  let catcher: ChildProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zgoda-mail-catcher-'));
    port = await freePort();
    catcher = spawn(process.execPath, [join(__dirname, '../../scripts/mail-catcher.js')], {
      cwd: dir,
      env: { ...process.env, MAIL_CATCHER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    catcher.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    while (!out.includes('mail catcher on')) await once(catcher.stdout!, 'data');
  });

  afterAll(async () => {
    catcher.kill('SIGTERM');
    if (catcher.exitCode === null) await once(catcher, 'exit');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every message of a burst as its own file', async () => {
    const transport = createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 20,
    });
    const count = 120;
    try {
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          transport.sendMail({
            from: 'zgoda@example.com',
            to: `p${i}@example.com`,
            subject: `burst ${i}`,
            text: `message ${i}`,
          }),
        ),
      );
    } finally {
      transport.close();
    }
    const files = readdirSync(join(dir, 'mail-outbox'));
    expect(files).toHaveLength(count);
    const bodies = new Set(
      files.map((f) => /message (\d+)/.exec(readFileSync(join(dir, 'mail-outbox', f), 'utf8'))?.[1]),
    );
    expect(bodies.size).toBe(count);
  });
});
