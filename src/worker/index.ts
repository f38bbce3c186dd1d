// The public surface of the worker module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { mountQueueDashboard } from './queue-dashboard';
export { WorkerModule } from './worker.module';
