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
    // The access log is the service's own (bootstrap's onResponse hook: route template, correlation id, status, time).
    // pino-http's would be a second line per request, naming the raw path with its ids, and costs a child logger and
    // a serialisation per request even when nothing is written.
    autoLogging: false,
    quietReqLogger: true,
    quietResLogger: true,
  };
  return {
    pinoHttp: env.LOG_FILE ? [options, pino.destination({ dest: env.LOG_FILE, sync: true, mkdir: true })] : options,
  };
}
