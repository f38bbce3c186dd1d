// The public surface of the outbox module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { OutboxWorkerModule } from './outbox-worker.module';
export { OutboxModule } from './outbox.module';
export { OutboxService } from './outbox.service';
