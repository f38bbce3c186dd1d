import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnv } from './src/config/load-env';
import { buildDataSourceOptions } from './src/database/database.options';

// The TypeORM CLI's DataSource (migration:generate, migration:run), built like the app's.
export default new DataSource(buildDataSourceOptions(loadEnv().DATABASE_URL));
