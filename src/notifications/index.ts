// The public surface of the notifications module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { CONTACT_RESOLVER } from './contact-resolver';
export { NotificationsModule } from './notifications.module';
export { NotificationsService } from './notifications.service';
export type { EmailDelivery, EmailSentEvent } from './notifications.service';
export { TemplateRegistry } from './template-registry.service';
