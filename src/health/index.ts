// The public surface of the health module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { HealthModule } from './health.module';
