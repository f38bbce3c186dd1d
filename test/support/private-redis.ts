import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A Redis of the test's own, on 127.0.0.1, that the test may stop, restart and flush without disturbing others. */
export class PrivateRedis {
  private readonly dir = mkdtempSync(join(tmpdir(), 'zgoda-redis-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  up(): void {
    execFileSync('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--logfile',
      join(this.dir, 'redis.log'),
      '--pidfile',
      join(this.dir, 'redis.pid'),
    ]);
    for (let i = 0; i < 50; i++) {
      try {
        if (this.cli('ping').trim() === 'PONG') return;
      } catch {
        // not accepting connections yet
      }
      execFileSync('sleep', ['0.1']);
    }
    throw new Error('private redis did not start');
  }

  /** Stops without saving: everything in it is lost, as after a restart without persistence. */
  down(): void {
    try {
      this.cli('shutdown', 'nosave');
    } catch {
      // shutdown closes the connection before answering
    }
  }

  flush(): void {
    this.cli('flushall');
  }

  cli(...args: string[]): string {
    return execFileSync('redis-cli', ['-p', String(this.port), ...args], { encoding: 'utf8' });
  }

  stop(): void {
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
