import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { Env } from '../config/env';

export interface OutgoingMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
}

function poolTransport(env: Env) {
  return createTransport(
    {
      url: env.SMTP_URL,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
      // Message content comes from our templates only; nothing may make nodemailer read a file or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: env.MAIL_FROM },
  );
}

/** One pooled SMTP transport per process, opened on first use, so the API role never connects to SMTP. */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private transport?: ReturnType<typeof poolTransport>;

  constructor(private readonly env: Env) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.transport ??= poolTransport(this.env);
    await this.transport.sendMail({
      ...message,
      // RFC 3834: vacation responders must not answer an automatic message.
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
