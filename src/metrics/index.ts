// The public surface of the metrics module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { MetricsController } from './metrics.controller';
export { MetricsService } from './metrics.service';
