import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook, verifyWebhookSignature } from '../../src/common/crypto/webhook-signature';
import type { TestApp } from '../support/test-app';
import { checkedFetch } from '../support/contract';

export interface TaskCall {
  taskId: string;
  requestId: string;
  action: string;
  requestType?: string;
  subject: { id: string; identifiers: { kind: string; value: string; system?: string }[] };
  callbackUrl: string;
  changes?: Record<string, string | null>;
  purposes?: string[];
  scope?: Record<string, unknown>;
  retain?: { category: string; legalBasis: string | null; until: string | null }[];
}

export type Answer =
  | { status: 200; body: Record<string, unknown> }
  | { status: 202; callback: Record<string, unknown>; delayMs?: number }
  | { status: number };

const now = () => Math.floor(Date.now() / 1000);

/**
 * A data system on 127.0.0.1 as a company would run it: checks Zgoda's signature, performs each task's
 * side effect once per Idempotency-Key (and counts how often it was asked), answers at once (200) or
 * accepts (202) and calls back later, signed with the same secret.
 */
export class WebhookReceiver {
  readonly calls: TaskCall[] = [];
  /** Idempotency-Key -> how many times the side effect ran (must stay 1). */
  readonly effects = new Map<string, number>();
  readonly seenKeys = new Map<string, number>();
  badSignatures = 0;
  private server!: Server;
  url = '';

  constructor(
    readonly secret: string,
    private readonly answer: (call: TaskCall, attempt: number) => Answer,
    private readonly appUrl: () => string,
  ) {}

  static async start(secret: string, answer: (call: TaskCall, attempt: number) => Answer, appUrl: () => string) {
    const r = new WebhookReceiver(secret, answer, appUrl);
    // A caller killed mid-request (the crash and chaos tests kill workers with SIGKILL) resets the socket: that call
    // is simply gone, as it would be for a real receiver.
    r.server = createServer(
      (req, res) =>
        void r.handle(req, res).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ECONNRESET' && e.code !== 'ECONNABORTED' && e.message !== 'aborted') throw e;
          res.destroy();
        }),
    );
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/zgoda`;
    return r;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const check = verifyWebhookSignature(this.secret, req.headers['x-zgoda-signature'] as string, body, now());
    if (!check.ok) {
      this.badSignatures += 1;
      res.writeHead(401).end();
      return;
    }
    const call = JSON.parse(body) as TaskCall;
    const key = String(req.headers['idempotency-key']);
    const attempt = (this.seenKeys.get(key) ?? 0) + 1;
    this.seenKeys.set(key, attempt);
    this.calls.push(call);
    const answer = this.answer(call, attempt);
    // The receiver's own dedupe: the side effect happens once per key, whatever Zgoda retries.
    if (answer.status === 200 || answer.status === 202) {
      if (!this.effects.has(key)) this.effects.set(key, 0);
      if (this.effects.get(key) === 0) this.effects.set(key, 1);
    }
    if (answer.status === 200 && 'body' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    } else if (answer.status === 202 && 'callback' in answer) {
      res.writeHead(202).end();
      setTimeout(() => void this.callBack(call, answer.callback), answer.delayMs ?? 50);
    } else {
      res.writeHead(answer.status).end();
    }
  }

  /** POSTs the result to Zgoda; the app in a test listens on a random port, so only the path is used. */
  async callBack(call: TaskCall, result: Record<string, unknown>, secret = this.secret): Promise<Response> {
    const body = JSON.stringify(result);
    return checkedFetch(`${this.appUrl()}${new URL(call.callbackUrl).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zgoda-signature': signWebhook(secret, body, now()) },
      body,
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let n = 0;
export const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}`;

export async function createSubject(
  t: TestApp,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; email: string }> {
  const email = `req-${uniq()}@example.com`;
  const res = await t.request('POST', '/v1/subjects', { email, firstName: 'Anna', lastName: 'Nowak', ...fields });
  if (res.status !== 201) throw new Error(`subject not created: ${res.status} ${res.text}`);
  return { id: res.body.id, email: (fields.email as string) ?? email };
}

export async function createSystem(t: TestApp, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await t.request('POST', '/v1/systems', body);
  if (res.status !== 201) throw new Error(`system not created: ${res.status} ${res.text}`);
  return { id: res.body.id, key: res.body.key };
}

export async function waitForStatus(t: TestApp, id: string, statuses: string[], ms = 20_000) {
  const { eventually } = await import('../support/test-app');
  return eventually(async () => {
    const r = await t.request('GET', `/v1/requests/${id}`);
    return statuses.includes(r.body.status) ? r.body : null;
  }, ms);
}

/** Every file of a ZIP, as text. */
export async function unzip(buffer: Buffer): Promise<Map<string, string>> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const files = new Map<string, string>();
      zip.on('entry', (entry: import('yauzl').Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function download(url: string, key?: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await checkedFetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}
