// The public surface of the console module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { ConsoleModule } from './console.module';
