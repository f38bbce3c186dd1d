import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailTransport } from './mail-transport.service';
import { NOTIFICATIONS_ENTITIES } from './notifications.entities';
import { NotificationsService } from './notifications.service';
import { OutgoingEmailsRepository } from './outgoing-emails.repository';
import { SendEmailHandler } from './send-email.handler';
import { TemplateRegistry } from './template-registry.service';

/** E-mail for every module: `NotificationsService.queueEmail(manager, ...)` inside the caller's transaction. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(NOTIFICATIONS_ENTITIES)],
  providers: [TemplateRegistry, NotificationsService, OutgoingEmailsRepository, MailTransport, SendEmailHandler],
  exports: [NotificationsService, TemplateRegistry],
})
export class NotificationsModule {}
