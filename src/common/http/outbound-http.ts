import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, errors, request } from 'undici';
import { Env } from '../../config/env';
import { refusedAddress, staticUrlRefusal, type OutboundRefusal } from './outbound-url';

export type OutboundFailure =
  `destination_not_allowed_${OutboundRefusal}` | 'timeout' | 'unreachable' | 'answer_too_large' | `http_${number}`;

/** What the other side answered: its status and (up to BODY_LIMIT_BYTES) its body. */
export interface OutboundAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export type OutboundResult = { answer: OutboundAnswer } | { failure: OutboundFailure; permanent: boolean };

// 408, 425 and 429 say "later", not "never"; other 4xx (and redirects, never followed) mean the call itself is
// wrong and retrying repeats it.
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * The one retry rule of every outbound call: 5xx, the retryable 4xx and every failure to get an answer are tried
 * again (the job's attempts, with back-off); a redirect (never followed) or another 4xx will not change by itself.
 */
export const isPermanentStatus = (status: number): boolean =>
  status >= 300 && status < 500 && !RETRYABLE_4XX.has(status);

/** A status outside 2xx as the failure it is, with the retry rule applied. */
export const statusFailure = (status: number): { failure: OutboundFailure; permanent: boolean } => ({
  failure: `http_${status}`,
  permanent: isPermanentStatus(status),
});

const REFUSED = 'EZGODA_DESTINATION';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The address check where it counts (issue 25 item 9): on the addresses the socket is about to connect to, in the
 * connect's own lookup. Checking the name first and letting the client resolve it again let a name that changed in
 * between (DNS rebinding) reach an internal address.
 */
function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = !addresses.length || addresses.some((a) => refusedAddress(a.address, allowPrivate));
      if (refused) return callback(Object.assign(new Error('destination not allowed'), { code: REFUSED }), []);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function causeCodes(e: unknown): string[] {
  const codes: string[] = [];
  for (let c: unknown = e; c && typeof c === 'object' && codes.length < 5; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/**
 * The one client for every call Zgoda makes to an address someone else gave it: data-system webhooks (tasks and
 * retention notices), consent-change webhooks, OpenGDPR call-backs (issue 25 item 9; three separate `fetch` calls
 * differed in headers, timeouts and retries). Every call: the address checked at connect time, no redirect followed
 * (a signed payload and identifiers must not travel to another host), REQUEST_WEBHOOK_TIMEOUT_MS for the headers and
 * for the body, at most BODY_LIMIT_BYTES of answer read, and one retry rule (`isPermanentStatus`).
 */
@Injectable()
export class OutboundHttp implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(private readonly env: Env) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(env.WEBHOOK_ALLOW_PRIVATE_NETWORKS), timeout: env.REQUEST_WEBHOOK_TIMEOUT_MS },
      headersTimeout: env.REQUEST_WEBHOOK_TIMEOUT_MS,
      bodyTimeout: env.REQUEST_WEBHOOK_TIMEOUT_MS,
      maxResponseSize: env.BODY_LIMIT_BYTES,
    });
  }

  /** A JSON POST; the answer whatever its status (the caller decides what a 202 or a 404 means), or why none came. */
  async postJson(url: string, body: string, headers: Record<string, string>): Promise<OutboundResult> {
    const refusal = staticUrlRefusal(url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    if (refusal) return { failure: `destination_not_allowed_${refusal}`, permanent: false };
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'zgoda', ...headers },
        body,
        signal: AbortSignal.timeout(this.env.REQUEST_WEBHOOK_TIMEOUT_MS * 2),
      });
      const text = await res.body.text();
      const type = res.headers['content-type'];
      return { answer: { status: res.statusCode, contentType: typeof type === 'string' ? type : null, body: text } };
    } catch (e) {
      const failure = failureOf(e);
      // An answer over the limit will be as large next time; the rest may pass on a retry.
      return { failure, permanent: failure === 'answer_too_large' };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

function failureOf(e: unknown): OutboundFailure {
  // A refused destination is not permanent: the name may point elsewhere again, and an operator may fix it.
  if (causeCodes(e).includes(REFUSED)) return 'destination_not_allowed_address';
  if (e instanceof errors.ResponseExceededMaxSizeError) return 'answer_too_large';
  if (
    e instanceof errors.HeadersTimeoutError ||
    e instanceof errors.BodyTimeoutError ||
    e instanceof errors.ConnectTimeoutError ||
    (e as Error)?.name === 'TimeoutError'
  ) {
    return 'timeout';
  }
  return 'unreachable';
}

@Global()
@Module({ providers: [OutboundHttp], exports: [OutboundHttp] })
export class OutboundHttpModule {}
