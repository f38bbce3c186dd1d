// The public surface of the database module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { buildDataSourceOptions } from './database.options';
export { runMigrations } from './migrate';
export { checkDatabaseReachable } from './reachable';
