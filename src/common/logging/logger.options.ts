import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { Env } from '../../config/env';
import { requestContext } from '../context/request-context';

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
      // Whatever is logged as `req` keeps its id, method and path only (never a header or the query string), and a
      // partial object does not make the line throw.
      req: (req: { id?: string; method?: string; url?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
    // A line written while a request or job is under way names its correlation id, read from the request context
    // when the line is written: nothing is spent per request on a logger of its own.
    mixin: () => {
      const ctx = requestContext.get();
      return ctx ? { correlationId: ctx.correlationId } : {};
    },
    autoLogging: false,
  };
  return {
    pinoHttp: env.LOG_FILE ? [options, pino.destination({ dest: env.LOG_FILE, sync: true, mkdir: true })] : options,
    // No route gets pino-http's middleware. The access log is the service's own (bootstrap's onResponse hook: route
    // template, correlation id, status, time); pino-http's would be a second line per request naming the raw path
    // with its ids, and even silent it made a child logger and two async contexts per request (issue 16's profile
    // of the consent check: about 8% of its CPU). The module still builds its root logger from these options.
    forRoutes: [],
  };
}
