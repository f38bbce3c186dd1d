import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { UnrecoverableError } from 'bullmq';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CryptoService } from '../common/crypto/crypto.service';
import { ProblemError } from '../common/problem/problem.error';
import type { Env } from '../config/env';
import { CONTACT_RESOLVER, ContactResolver } from './contact-resolver';
import { MailTransport, OutgoingMessage } from './mail-transport.service';
import type { NotificationsService } from './notifications.service';
import { OutgoingEmail } from './outgoing-email.entity';
import { OutgoingEmailsRepository, sealedColumn } from './outgoing-emails.repository';
import { SendEmailHandler } from './send-email.handler';
import { TemplateRegistry } from './template-registry.service';

const env = {
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  ENCRYPTION_KEY_VERSION: 1,
  CONTROLLER_NAME: 'Optyk Wzorcowy',
  PUBLIC_BASE_URL: 'https://zgoda.example.com',
} as Env;
const crypto = new CryptoService(env);
const templates = new TemplateRegistry(env);
const model = { confirmUrl: 'https://zgoda.example.com/c?t=1', purposeName: 'Newsletter' };

/** In-memory rows with the repository's semantics; the handler's SQL is covered by the e2e test. */
class FakeEmails {
  rows = new Map<string, OutgoingEmail>();
  add(row: Partial<OutgoingEmail>): OutgoingEmail {
    const email = Object.assign(new OutgoingEmail(), {
      template: 'consent-confirmation',
      locale: 'pl',
      subjectId: null,
      recipient: null,
      sentAt: null,
      failedAt: null,
      attempts: 0,
      lastError: null,
      messageId: null,
      createdAt: new Date(),
      ...row,
    });
    email.model ??= crypto.seal(JSON.stringify(model), sealedColumn(email.id, 'model'));
    this.rows.set(email.id, email);
    return email;
  }
  lockForSending = async (_m: EntityManager, id: string) => this.rows.get(id);
  markSent = async (_m: EntityManager, id: string, messageId: string) => {
    Object.assign(this.rows.get(id)!, { sentAt: new Date(), messageId, recipient: null, model: null });
    this.rows.get(id)!.attempts += 1;
  };
  recordFailure = async (_m: EntityManager, id: string, reason: string, permanent: boolean) => {
    const row = this.rows.get(id)!;
    row.attempts += 1;
    row.lastError = reason;
    if (permanent) Object.assign(row, { failedAt: new Date(), recipient: null, model: null });
  };
}

function setup(resolver?: ContactResolver) {
  const emails = new FakeEmails();
  const sent: OutgoingMessage[] = [];
  const transport = { send: async (m: OutgoingMessage) => void sent.push(m) } as unknown as MailTransport;
  const dataSource = { transaction: (fn: (m: EntityManager) => unknown) => fn({} as EntityManager) } as DataSource;
  const moduleRef = {
    get: (token: unknown) => {
      if (token === CONTACT_RESOLVER && resolver) return resolver;
      throw new Error('not found');
    },
  } as unknown as ModuleRef;
  const handler = new SendEmailHandler(
    dataSource,
    emails as unknown as OutgoingEmailsRepository,
    crypto,
    templates,
    transport,
    moduleRef,
    { runSentHook: async () => undefined } as unknown as NotificationsService,
  );
  return { handler, emails, sent };
}

describe('SendEmailHandler: whom to write to', () => {
  // The handler's warnings are expected here; the e2e test checks what reaches the real log.
  beforeAll(() => Logger.overrideLogger(false));

  it('uses the sealed address when the e-mail was queued with one', async () => {
    const { handler, emails, sent } = setup();
    const id = randomUUID();
    emails.add({ id, recipient: crypto.seal('jan@example.com', sealedColumn(id, 'recipient')) });
    await expect(handler.send({ emailId: id })).resolves.toEqual({ sent: true });
    expect(sent[0]).toMatchObject({ to: 'jan@example.com', messageId: `<${id}@zgoda>` });
    expect(sent[0].subject).toBe('Prosimy o potwierdzenie zgody');
  });

  it('looks the subject up at send time, so an address changed after queueing is honoured', async () => {
    const subjectId = randomUUID();
    const { handler, emails, sent } = setup({
      getContact: async (id) => (id === subjectId ? { email: 'nowy.adres@example.com', locale: 'pl' } : null),
    });
    const id = randomUUID();
    emails.add({ id, subjectId });
    await handler.send({ emailId: id });
    expect(sent.map((m) => m.to)).toEqual(['nowy.adres@example.com']);
    expect(emails.rows.get(id)).toMatchObject({ attempts: 1, model: null, recipient: null });
  });

  it.each([
    ['has no e-mail address', async () => ({ email: null })],
    ['is unknown', async () => null],
    [
      'was erased',
      async () => {
        throw new ProblemError('subject_erased');
      },
    ],
  ])('gives up for good, keeping nothing, when the subject %s', async (_, getContact) => {
    const { handler, emails, sent } = setup({ getContact });
    const id = randomUUID();
    emails.add({ id, subjectId: randomUUID() });
    await expect(handler.send({ emailId: id })).rejects.toThrow(UnrecoverableError);
    expect(sent).toHaveLength(0);
    expect(emails.rows.get(id)).toMatchObject({ lastError: 'no_contact', model: null, attempts: 1 });
    expect(emails.rows.get(id)!.failedAt).toBeInstanceOf(Date);
  });

  it('retries, keeping the e-mail, when the lookup fails or no module provides contacts', async () => {
    const broken = setup({
      getContact: async () => {
        throw new Error('connection to jan@example.com lost');
      },
    });
    const id = randomUUID();
    broken.emails.add({ id, subjectId: randomUUID() });
    const error = await broken.handler.send({ emailId: id }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).not.toContain('example.com');
    expect(broken.emails.rows.get(id)).toMatchObject({ failedAt: null, attempts: 1 });
    expect(broken.emails.rows.get(id)!.model).not.toBeNull();

    const missing = setup();
    const other = randomUUID();
    missing.emails.add({ id: other, subjectId: randomUUID() });
    await expect(missing.handler.send({ emailId: other })).rejects.toThrow(/no CONTACT_RESOLVER/);
    expect(missing.emails.rows.get(other)!.failedAt).toBeNull();
  });

  it('does nothing for an e-mail already sent, already given up, or gone', async () => {
    const { handler, emails, sent } = setup();
    const done = randomUUID();
    emails.add({ id: done, sentAt: new Date(), model: null });
    const failed = randomUUID();
    emails.add({ id: failed, failedAt: new Date(), model: null });
    for (const emailId of [done, failed, randomUUID()])
      await expect(handler.send({ emailId })).resolves.toEqual({ sent: false });
    expect(sent).toHaveLength(0);
  });
});
