import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Env, EnvInput, pickEnv, validateEnv } from './env';

const LOCAL_FILE = '.env.local';
const GENERATED = ['ENCRYPTION_KEY', 'ADMIN_API_KEY'] as const;

function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}

/**
 * Loads the configuration. Outside production, secrets that are missing are generated once into a
 * git-ignored `.env.local` so `npm start` works on a fresh clone; in production they must be given.
 */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  warn: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): Env {
  const input: EnvInput = pickEnv(source);
  const production = source.NODE_ENV === 'production';
  if (!production) {
    const file = resolve(process.cwd(), LOCAL_FILE);
    const local = existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
    const missing = GENERATED.filter((k) => !input[k] && !local[k]);
    if (missing.length) {
      for (const k of missing) {
        local[k] =
          k === 'ENCRYPTION_KEY'
            ? randomBytes(32).toString('base64')
            : `zk_admin_${randomBytes(24).toString('base64url')}`;
      }
      writeFileSync(
        file,
        Object.entries(local)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') + '\n',
        { mode: 0o600 },
      );
      warn(`zgoda: generated ${missing.join(', ')} into ${file} (development only; set them in production)`);
    }
    for (const k of GENERATED) input[k] ??= local[k];
  }
  return validateEnv(input);
}

/** Masks the password of a connection URL for messages. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
