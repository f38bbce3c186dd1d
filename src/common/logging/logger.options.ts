import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { Env } from '../../config/env';

const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g;
const PHONE = /\+?\d[\d \-()]{7,}\d/g;

/** Scrubs anything shaped like an e-mail or phone number from free-text log messages. */
export function scrub(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

/**
 * Structured JSON logs. Personal data never reaches them: headers that carry credentials or addresses are
 * redacted, query strings are dropped (tokens and e-mails travel there), and messages are scrubbed.
 */
export function loggerOptions(env: Env): Params {
  const options: NonNullable<Params['pinoHttp']> = {
    level: env.LOG_LEVEL,
    genReqId: (req) => (req as { id?: string }).id ?? 'none',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-forwarded-for"]',
        'req.headers["x-real-ip"]',
        'req.headers["idempotency-key"]',
        'req.remoteAddress',
        'req.remotePort',
        'res.headers["set-cookie"]',
        '*.email',
        '*.phone',
        '*.firstName',
        '*.lastName',
        '*.ip',
        '*.password',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
    customProps: () => ({}),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
    quietReqLogger: true,
  };
  return {
    pinoHttp: env.LOG_FILE ? [options, pino.destination({ dest: env.LOG_FILE, sync: true, mkdir: true })] : options,
  };
}
