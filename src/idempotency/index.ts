// The public surface of the idempotency module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { IdempotencyModule } from './idempotency.module';
export { Idempotent } from './idempotent.decorator';
export { IdempotencyScope } from './idempotency-scope';
