// The public surface of the systems module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { EEA_COUNTRIES, ZGODA_SYSTEM_KEY } from './system-rules';
export type { SystemKind, SystemRecord } from './system.types';
export type { CreateSystemDto } from './systems.dto';
export { SystemsModule } from './systems.module';
export { SystemsService } from './systems.service';
