import { QueueRegistry } from '../../src/jobs/queue-registry.service';
import { NotificationsService, QueueEmailInput, sendEmailJobKey } from '../../src/notifications/notifications.service';
import { outboxJobId } from '../../src/outbox/outbox.service';
import { SendEmailHandler } from '../../src/notifications/send-email.handler';
import { PrivateRedis } from '../support/private-redis';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { SmtpCatcher } from '../support/smtp-catcher';

const MAIL_FROM = 'Optyk Wzorcowy <no-reply@zgoda.test>';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const verification = (token: string) => ({
  verifyUrl: `https://zgoda.example.com/public/verify?token=${token}`,
  requestType: 'erasure',
  expiresMinutes: 30,
});

function queueEmail(t: TestApp, input: QueueEmailInput): Promise<string> {
  return t.dataSource.transaction((m) => t.get(NotificationsService).queueEmail(m, input));
}

async function emailRow(t: TestApp, id: string) {
  const [row] = (await t.dataSource.query(
    `SELECT e.*, o.completed_at AS outbox_completed_at, o.dead_at AS outbox_dead_at, o.redrives AS outbox_redrives,
            o.sent_at AS outbox_sent_at
       FROM outgoing_emails e LEFT JOIN outbox o ON o.job_id = 'notifications.send-email/email/' || e.id::text
      WHERE e.id = $1`,
    [id],
  )) as {
    sent_at: Date | null;
    failed_at: Date | null;
    attempts: number;
    last_error: string | null;
    message_id: string | null;
    recipient: Buffer | null;
    model: Buffer | null;
    outbox_sent_at: Date | null;
    outbox_completed_at: Date | null;
    outbox_dead_at: Date | null;
    outbox_redrives: number;
  }[];
  return row;
}

describe('notifications: e-mail delivery', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start((address, attempt) => {
      if (address.startsWith('bounce')) return { code: 550, message: '5.1.1 No such user here' };
      // Greylisting: refused once, accepted when tried again.
      if (address.startsWith('greylist') && attempt === 1) return { code: 451, message: '4.7.1 Try again later' };
      return undefined;
    });
    t = await startTestApp({
      env: { SMTP_URL: smtp.url, MAIL_FROM, CONTROLLER_NAME: 'Optyk Wzorcowy sp. z o.o.' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('sends Polish and English e-mails with both parts, the deterministic Message-ID, and keeps nothing readable', async () => {
    const plId = await queueEmail(t, {
      to: 'anna.nowak@example.com',
      template: 'request-verification',
      locale: 'pl',
      model: verification('pl-secret-1'),
    });
    const enId = await queueEmail(t, {
      to: 'john.smith@example.com',
      template: 'request-verification',
      locale: 'en',
      model: verification('en-secret-1'),
    });

    const pl = await eventually(async () => smtp.to('anna.nowak@example.com')[0]);
    expect(pl.subject).toBe('Prosimy o potwierdzenie żądania dotyczącego danych osobowych');
    expect(pl.types).toEqual(['text/plain', 'text/html']);
    expect(pl.text).toContain('Rodzaj żądania: usunięcie danych (art. 17 RODO)');
    expect(pl.text).toContain('https://zgoda.example.com/public/verify?token=pl-secret-1');
    expect(pl.text).toContain('Link jest ważny przez 30 minut');
    expect(pl.html).toContain('<html lang="pl">');
    expect(pl.html).toContain('Przejdź do potwierdzenia żądania');
    expect(pl.html).toContain('href="https://zgoda.example.com/public/verify?token&#x3D;pl-secret-1"');
    expect(pl.html).toContain('Wiadomość wysłana automatycznie przez Optyk Wzorcowy sp. z o.o.');
    expect(pl.headers['message-id']).toBe(`<${plId}@zgoda>`);
    expect(pl.headers.from).toContain('no-reply@zgoda.test');
    expect(pl.headers['auto-submitted']).toBe('auto-generated');

    const en = await eventually(async () => smtp.to('john.smith@example.com')[0]);
    expect(en.subject).toBe('Please confirm your request concerning personal data');
    expect(en.types).toEqual(['text/plain', 'text/html']);
    expect(en.text).toContain('Type of request: erasure (Art. 17 GDPR)');
    expect(en.text).toContain('The link is valid for 30 minutes');
    expect(en.text).not.toMatch(/[ąęłńśźż]/);
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('This message was sent automatically by Optyk Wzorcowy sp. z o.o.');
    expect(en.headers['message-id']).toBe(`<${enId}@zgoda>`);

    const row = await eventually(async () => {
      const r = await emailRow(t, plId);
      return r.outbox_completed_at ? r : null;
    });
    expect(row.sent_at).not.toBeNull();
    expect(row.message_id).toBe(`<${plId}@zgoda>`);
    expect(row.attempts).toBe(1);
    // The address and the secret link are gone once the e-mail is out.
    expect(row.recipient).toBeNull();
    expect(row.model).toBeNull();
  });

  it('sends nothing for a transaction that rolls back', async () => {
    let rolledBack = '';
    await expect(
      t.dataSource.transaction(async (m) => {
        rolledBack = await t.get(NotificationsService).queueEmail(m, {
          to: 'rolled.back@example.com',
          template: 'request-verification',
          locale: 'pl',
          model: verification('rolled-back'),
        });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(rolledBack).toMatch(/^[0-9a-f-]{36}$/);

    // A later committed e-mail arriving shows the relay and the worker ran past the rolled-back one.
    await queueEmail(t, {
      to: 'after.rollback@example.com',
      template: 'request-verification',
      locale: 'pl',
      model: verification('x'),
    });
    await eventually(async () => smtp.to('after.rollback@example.com')[0]);
    await sleep(300);
    expect(smtp.to('rolled.back@example.com')).toHaveLength(0);
    expect(await t.dataSource.query('SELECT 1 FROM outgoing_emails WHERE id = $1', [rolledBack])).toHaveLength(0);
    expect(await t.dataSource.query(`SELECT 1 FROM outbox WHERE job_id LIKE '%' || $1`, [rolledBack])).toHaveLength(0);
  });

  it('sends nothing on a second delivery of the same job (at least once)', async () => {
    const id = await queueEmail(t, {
      to: 'only.once@example.com',
      template: 'consent-confirmation',
      locale: 'pl',
      model: { confirmUrl: 'https://zgoda.example.com/public/consents/confirm?token=once', purposeName: 'Newsletter' },
    });
    await eventually(async () => smtp.to('only.once@example.com')[0]);
    await eventually(async () => (await emailRow(t, id)).outbox_completed_at);

    // The same job handed over again, as after a crash between sending and acknowledging it.
    const queue = t.get(QueueRegistry).get('notifications');
    const again = await queue.add('notifications.send-email', { emailId: id }, { jobId: `redelivery:email:${id}` });
    await eventually(async () => (await again.getState()) === 'completed');
    expect((await queue.getJob(again.id!))?.returnvalue).toEqual({ sent: false });
    expect(await t.get(SendEmailHandler).send({ emailId: id })).toEqual({ sent: false });

    await sleep(200);
    expect(smtp.to('only.once@example.com')).toHaveLength(1);
    expect(smtp.rcptAttempts('only.once@example.com')).toBe(1);
    expect((await emailRow(t, id)).attempts).toBe(1);
  });

  it('gives up at once on a permanent SMTP rejection (5xx) and records why without the address', async () => {
    const id = await queueEmail(t, {
      to: 'bounce.me@example.com',
      template: 'request-rejected',
      locale: 'en',
      model: { requestType: 'access', reference: 'r-1', reason: 'The request could not be verified.' },
    });
    const row = await eventually(async () => {
      const r = await emailRow(t, id);
      return r.failed_at && r.outbox_dead_at ? r : null;
    });
    expect(row.last_error).toBe('smtp EENVELOPE 550 5.1.1');
    expect(row.sent_at).toBeNull();
    expect(row.recipient).toBeNull();
    expect(row.model).toBeNull();
    const job = await t
      .get(QueueRegistry)
      .get('notifications')
      .getJob(outboxJobId('notifications.send-email', sendEmailJobKey(id)));
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).not.toContain('example.com');
    expect(smtp.rcptAttempts('bounce.me@example.com')).toBe(1);
    expect(smtp.to('bounce.me@example.com')).toHaveLength(0);
  });

  it('retries a temporary SMTP refusal (4xx) and delivers on the next attempt', async () => {
    const id = await queueEmail(t, {
      to: 'greylist.me@example.com',
      template: 'request-extended',
      locale: 'pl',
      model: { requestType: 'access', reference: 'r-2', reason: 'Dane są w archiwum.', newDueDate: '2026-06-02' },
    });
    const mail = await eventually(async () => smtp.to('greylist.me@example.com')[0], 30_000);
    expect(mail.text).toContain('Nowy termin odpowiedzi: 2 czerwca 2026 r.');
    expect(mail.text).toContain('Dane są w archiwum.');
    const row = await eventually(async () => {
      const r = await emailRow(t, id);
      return r.sent_at ? r : null;
    });
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeNull();
    expect(smtp.rcptAttempts('greylist.me@example.com')).toBe(2);
  }, 45_000);

  it('finds the subject’s address at send time, and gives up on an erased subject', async () => {
    const created = await t.request('POST', '/v1/subjects', { email: 'ewa.subject@example.com', locale: 'en' });
    expect(created.status).toBe(201);
    const subjectId = created.body.id as string;
    const model = { confirmUrl: 'https://zgoda.example.com/public/consents/confirm?token=s', purposeName: 'Offers' };

    const id = await queueEmail(t, { subjectId, template: 'consent-confirmation', locale: 'en', model });
    const mail = await eventually(async () => smtp.to('ewa.subject@example.com')[0]);
    expect(mail.subject).toBe('Please confirm your consent');
    expect(mail.headers['message-id']).toBe(`<${id}@zgoda>`);
    const [stored] = (await t.dataSource.query('SELECT subject_id FROM outgoing_emails WHERE id = $1', [id])) as {
      subject_id: string;
    }[];
    expect(stored.subject_id).toBe(subjectId);

    // Queued before the erasure, sent after it: there is no one left to write to.
    const queue = t.get(QueueRegistry).get('notifications');
    await queue.pause();
    try {
      const late = await queueEmail(t, { subjectId, template: 'consent-confirmation', locale: 'en', model });
      await eventually(async () => (await emailRow(t, late)).outbox_sent_at);
      expect((await t.request('POST', `/v1/subjects/${subjectId}/erase`, { reason: 'test:erasure' })).status).toBe(204);
      await queue.resume();
      const row = await eventually(async () => {
        const r = await emailRow(t, late);
        return r.failed_at ? r : null;
      });
      expect(row.last_error).toBe('no_contact');
      expect(row.model).toBeNull();
    } finally {
      await queue.resume();
    }
    expect(smtp.to('ewa.subject@example.com')).toHaveLength(1);
  });

  it('refuses, inside the caller’s transaction, what could never be sent', async () => {
    const svc = t.get(NotificationsService);
    const queueIn = (input: Partial<QueueEmailInput>) =>
      t.dataSource.transaction((m) =>
        svc.queueEmail(m, {
          to: 'refused@example.com',
          template: 'request-verification',
          locale: 'pl',
          model: verification('r'),
          ...input,
        } as QueueEmailInput),
      );
    await expect(queueIn({ template: 'no-such-template' })).rejects.toThrow(
      'unknown e-mail template "no-such-template"',
    );
    await expect(queueIn({ model: { requestType: 'access', expiresMinutes: 30 } })).rejects.toThrow(/"verifyUrl"/);
    await expect(queueIn({ locale: 'de' as 'pl' })).rejects.toThrow(/locale/);
    await expect(queueIn({ to: 'Jan <refused@example.com>, other@example.com' })).rejects.toThrow(
      /single e-mail address/,
    );
    await expect(queueIn({ to: undefined })).rejects.toThrow(/`to` or `subjectId`/);
    await expect(
      svc.queueEmail(t.dataSource.manager, {
        to: 'refused@example.com',
        template: 'request-verification',
        locale: 'pl',
        model: verification('r'),
      }),
    ).rejects.toThrow(/inside the caller's transaction/);
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outgoing_emails WHERE template = 'no-such-template'`,
    )) as { n: number }[];
    expect(n).toBe(0);
  });
});

describe('notifications: the outbox when Redis fails', () => {
  let smtp: SmtpCatcher;
  let redis: PrivateRedis;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpCatcher.start();
    redis = await PrivateRedis.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, REDIS_URL: redis.url } });
    // The producer queues have no 'error' listener, so BullMQ prints every refused reconnect to the console
    // while this test holds Redis down on purpose.
    for (const queue of t.get(QueueRegistry).all()) queue.on('error', () => undefined);
  });

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await smtp?.close();
    redis?.stop();
  });

  it('an outbox row committed while Redis is down is delivered after Redis comes back', async () => {
    redis.down();
    const id = await queueEmail(t, {
      to: 'redis.down@example.com',
      template: 'request-received',
      locale: 'en',
      model: {
        requestType: 'access',
        reference: 'r-3',
        receivedAt: '2026-03-02T09:15:00Z',
        dueDate: '2026-04-02',
        statusUrl: 'http://127.0.0.1/public/requests/r-3?token=t',
        statusExpiresAt: '2026-07-02T09:15:00Z',
      },
    });
    // Committed in PostgreSQL, but the relay cannot hand it to Redis.
    await sleep(1500);
    expect((await emailRow(t, id)).outbox_sent_at).toBeNull();
    expect(smtp.to('redis.down@example.com')).toHaveLength(0);

    redis.up();
    const mail = await eventually(async () => smtp.to('redis.down@example.com')[0], 45_000);
    expect(mail.subject).toBe('We have received your request concerning personal data');
    expect(mail.text).toContain('Reply due by: 2 April 2026');
    expect(mail.headers['message-id']).toBe(`<${id}@zgoda>`);
    await eventually(async () => (await emailRow(t, id)).outbox_completed_at);
  }, 90_000);

  it('a job lost to a Redis FLUSHALL is re-driven by the reconciler', async () => {
    const queue = t.get(QueueRegistry).get('notifications');
    // Keep the job waiting in Redis so the flush catches it there.
    await queue.pause();
    const id = await queueEmail(t, {
      to: 'flushed.away@example.com',
      template: 'request-verification',
      locale: 'pl',
      model: verification('flush-secret'),
    });
    const jobId = outboxJobId('notifications.send-email', sendEmailJobKey(id));
    await eventually(async () => (await queue.getJob(jobId)) ?? null);

    // Sealed at rest while it waits: neither the address nor the link is readable in the row.
    const waiting = await emailRow(t, id);
    expect(waiting.recipient!.toString('latin1')).not.toContain('flushed.away');
    expect(waiting.model!.toString('latin1')).not.toContain('flush-secret');

    // Paused jobs count as waiting: past the grace period the reconciler leaves them alone.
    await sleep(t.env.RECONCILE_GRACE_MS + 2 * t.env.RECONCILE_INTERVAL_MS);
    expect((await emailRow(t, id)).outbox_redrives).toBe(0);
    expect(smtp.to('flushed.away@example.com')).toHaveLength(0);

    redis.flush();
    const mail = await eventually(async () => smtp.to('flushed.away@example.com')[0], 30_000);
    expect(mail.headers['message-id']).toBe(`<${id}@zgoda>`);
    expect(mail.text).toContain('token=flush-secret');
    const row = await eventually(async () => {
      const r = await emailRow(t, id);
      return r.outbox_completed_at ? r : null;
    });
    expect(row.outbox_redrives).toBeGreaterThanOrEqual(1);
    expect(smtp.to('flushed.away@example.com')).toHaveLength(1);
  }, 60_000);
});
