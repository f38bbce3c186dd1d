#!/usr/bin/env node
// Development only: an SMTP server on 127.0.0.1:1025 (the default SMTP_URL) that keeps every message Zgoda
// sends as a .eml file in ./mail-outbox/ and prints its recipient, subject and links, so the portal's
// verification and status links can be followed without a real mail relay. `npm run mail:catch`.
const { randomBytes } = require('node:crypto');
const { SMTPServer } = require('smtp-server');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(process.cwd(), 'mail-outbox');
const port = Number(process.env.MAIL_CATCHER_PORT || 1025);
mkdirSync(dir, { recursive: true });

function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`) in a header, as a mail client shows them. */
function decodeHeader(value) {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(decodeQuotedPrintable(text.replace(/_/g, ' ')), 'latin1').toString('utf8'),
  );
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      // Time first so the folder lists in order; a random suffix, since several messages arrive in one millisecond
      // (a batch of notices), and `wx` so a clash fails loudly rather than overwriting a message.
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      writeFileSync(file, raw, { flag: 'wx' });
      const subject = decodeHeader(/^Subject: (.*(?:\r?\n[ \t].*)*)$/im.exec(raw)?.[1] ?? '');
      // The HTML part escapes '=' as &#x3D; and '&' as &amp;: unescape so both parts give the same link.
      const text = decodeQuotedPrintable(raw)
        .replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&');
      const links = [...new Set(text.match(/https?:\/\/[^\s"'<>]+/g) ?? [])];
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      process.stdout.write(`mail to ${to}: ${subject}\n${links.map((l) => `  ${l}`).join('\n')}\n  saved ${file}\n`);
      callback();
    });
  },
});
server.listen(port, '127.0.0.1', () =>
  process.stdout.write(`mail catcher on smtp://127.0.0.1:${port}, saving to ${dir}\n`),
);
