// The public surface of the auth module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { ApiKeysService } from './api-keys.service';
export { AuthModule } from './auth.module';
