// The public surface of the register module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { RegisterModule } from './register.module';
export { RegisterService } from './register.service';
export { SignOffDto } from './register.dto';
