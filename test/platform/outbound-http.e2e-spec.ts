import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttp, statusFailure } from '../../src/common/http/outbound-http';
import { validateEnv } from '../../src/config/env';
import { randomKey } from '../support/test-env';

/**
 * Issue 25 item 9: the one client every call to someone else's address goes through. The address is checked on the
 * address the socket connects to (a name checked first and resolved again by the client let DNS rebinding through),
 * no redirect is followed, the answer is read up to a limit, and every failure says whether a retry can help.
 */
describe('platform: the outbound HTTP client', () => {
  let server: Server;
  let port: number;
  const calls: string[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{}');

  beforeAll(async () => {
    server = createServer((req, res) => {
      calls.push(req.url ?? '');
      answer(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    calls.length = 0;
    answer = (_req, res) => res.end('{}');
  });

  const client = (over: Record<string, string> = {}) =>
    new OutboundHttp(
      validateEnv({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
        ENCRYPTION_KEY: randomKey(),
        REQUEST_WEBHOOK_TIMEOUT_MS: '1000',
        BODY_LIMIT_BYTES: '1024',
        ...over,
      }),
    );

  it('refuses a name that resolves to an internal address, at connect time, without sending anything', async () => {
    const http = client({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
    expect(await http.postJson(`http://localhost:${port}/hook`, '{}', {})).toEqual({
      failure: 'destination_not_allowed_address',
      permanent: false,
    });
    expect(await http.postJson(`http://127.0.0.1:${port}/hook`, '{}', {})).toEqual({
      failure: 'destination_not_allowed_address',
      permanent: false,
    });
    expect(calls).toEqual([]);
    await http.onApplicationShutdown();
  });

  it('posts JSON with the caller headers where internal addresses are allowed', async () => {
    const http = client({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    let seen: IncomingMessage | undefined;
    answer = (req, res) => {
      seen = req;
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    const posted = await http.postJson(`http://localhost:${port}/hook`, '{"a":1}', { 'x-zgoda-signature': 'sig' });
    expect(posted).toEqual({ answer: { status: 202, contentType: 'application/json', body: '{"ok":true}' } });
    expect(seen?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-zgoda-signature': 'sig',
      'user-agent': 'zgoda',
    });
    await http.onApplicationShutdown();
  });

  it('never follows a redirect, and names it a failure no retry will fix', async () => {
    const http = client({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    answer = (req, res) => {
      if (req.url === '/hook') res.writeHead(307, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      else res.end('{}');
    };
    const posted = await http.postJson(`http://127.0.0.1:${port}/hook`, '{}', {});
    expect(posted).toMatchObject({ answer: { status: 307 } });
    expect(calls).toEqual(['/hook']);
    expect(statusFailure(307)).toEqual({ failure: 'http_307', permanent: true });
    expect(statusFailure(429)).toEqual({ failure: 'http_429', permanent: false });
    await http.onApplicationShutdown();
  });

  it('stops reading an answer past BODY_LIMIT_BYTES, and gives up on a receiver that does not answer', async () => {
    const http = client({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    answer = (_req, res) => res.end('x'.repeat(10_000));
    expect(await http.postJson(`http://127.0.0.1:${port}/big`, '{}', {})).toEqual({
      failure: 'answer_too_large',
      permanent: true,
    });
    answer = () => undefined; // never answers
    expect(await http.postJson(`http://127.0.0.1:${port}/slow`, '{}', {})).toEqual({
      failure: 'timeout',
      permanent: false,
    });
    await http.onApplicationShutdown();
  });
});
