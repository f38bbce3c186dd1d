import { ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from './test-app';
import { logDir } from './test-env';

/** The settings every process of this test's installation shares: its database, Redis prefix and keys. */
function installationEnv(t: TestApp, name: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: t.env.DATABASE_URL,
    DATABASE_MIGRATION_URL: t.env.DATABASE_MIGRATION_URL,
    REDIS_URL: t.env.REDIS_URL,
    REDIS_PREFIX: t.env.REDIS_PREFIX,
    ENCRYPTION_KEY: t.env.ENCRYPTION_KEY,
    ADMIN_API_KEY: t.env.ADMIN_API_KEY,
    ERASURE_JOURNAL_DIR: t.env.ERASURE_JOURNAL_DIR,
    AUDIT_CHECKPOINT_DIR: t.env.AUDIT_CHECKPOINT_DIR,
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'info',
    LOG_FILE: `${logDir()}/${process.pid}-${name}.log`,
    ...env,
  };
}

/**
 * A worker of this test's installation in its own process, built like production (`node dist/src/worker.js`), so a
 * test can kill it with SIGKILL and start another. `name` names its log file.
 */
export function spawnWorker(t: TestApp, name: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(__dirname, '../../dist/src/worker.js')], {
    // Not the repository folder: its .env.local must not leak into this installation's settings.
    cwd: tmpdir(),
    env: installationEnv(t, name, {
      OUTBOX_POLL_MS: '200',
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1000',
      ...env,
    }),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

/** The API of this test's installation in its own process (`node dist/src/main.js`), for a test to SIGKILL. */
export async function spawnApi(
  t: TestApp,
  name: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, '../../dist/src/main.js')], {
    cwd: tmpdir(),
    env: installationEnv(t, name, { PORT: '0', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/listening on 127\.0\.0\.1:(\d+)/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`API did not start: ${stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${/listening on 127\.0\.0\.1:(\d+)/.exec(stderr)![1]}` };
}

/** Runs one of the command-line tools (`dist/src/cli/<name>.js`) for this installation, as `npm run` would. */
export function runCli(
  t: TestApp,
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, `../../dist/src/cli/${name}.js`), ...args],
      { cwd: tmpdir(), env: installationEnv(t, `cli-${name}`, env) },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
