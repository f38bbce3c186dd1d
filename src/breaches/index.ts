// The public surface of the breaches module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { BreachesModule } from './breaches.module';
