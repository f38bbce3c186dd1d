import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string[];
  raw: string;
  /** Top-level headers, names lower-cased, folded lines joined, encoded words decoded. */
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  /** Content types of the leaf parts, in order. */
  types: string[];
}

/** How the server answers RCPT TO for an address; `undefined` accepts it. */
export type RecipientRule = (address: string, attempt: number) => { code: number; message: string } | undefined;

/**
 * A real SMTP server on 127.0.0.1 (random port) that keeps what it accepts, decoded enough to read
 * subjects and both bodies. `rule` lets a test refuse recipients permanently (5xx) or for a while (4xx).
 */
export class SmtpCatcher {
  readonly messages: CaughtMail[] = [];
  private readonly attempts = new Map<string, number>();
  private server!: SMTPServer;
  port = 0;

  private constructor(private readonly rule: RecipientRule) {}

  static async start(rule: RecipientRule = () => undefined): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher(rule);
    catcher.server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: nodemailer would otherwise try STARTTLS against a self-signed certificate.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const attempt = (catcher.attempts.get(address.address) ?? 0) + 1;
        catcher.attempts.set(address.address, attempt);
        const refusal = catcher.rule(address.address, attempt);
        if (!refusal) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          catcher.messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), to));
          callback();
        });
      },
    });
    // A sender killed mid-session (the crash and chaos tests SIGKILL workers) resets its connection; smtp-server reports
    // that as an 'error' event, which must not bring the test process down. Anything else still does.
    catcher.server.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') throw e;
    });
    await new Promise<void>((resolve) => catcher.server.listen(0, '127.0.0.1', resolve));
    catcher.port = (catcher.server.server.address() as AddressInfo).port;
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): CaughtMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  /** How many times a recipient was offered to the server, accepted or not. */
  rcptAttempts(address: string): number {
    return this.attempts.get(address) ?? 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const input = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(input[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`); adjacent words join without the space. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?[^?]+\?([BQbq])\?([^?]*)\?=/g, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const enc = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function leaves(headers: Record<string, string>, body: string): { type: string; content: string }[] {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => {
        const inner = splitHeaders(p.replace(/^\r?\n/, ''));
        return leaves(inner.headers, inner.body);
      });
  }
  return [{ type: type.split(';')[0].trim().toLowerCase(), content: decodeBody(headers, body) }];
}

export function parseMail(raw: string, to: string[]): CaughtMail {
  const split = splitHeaders(raw);
  const headers = Object.fromEntries(Object.entries(split.headers).map(([k, v]) => [k, decodeWords(v)]));
  const parts = leaves(split.headers, split.body);
  return {
    to,
    raw,
    headers,
    subject: headers.subject ?? '',
    text: parts.find((p) => p.type === 'text/plain')?.content ?? '',
    html: parts.find((p) => p.type === 'text/html')?.content ?? '',
    types: parts.map((p) => p.type),
  };
}
