// The public surface of the portal module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { PortalModule } from './portal.module';
