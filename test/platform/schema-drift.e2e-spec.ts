import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/database.options';
import { createTestDatabase, dbUrl, dropDatabase } from '../support/test-env';

describe('migrations', () => {
  it('produce exactly the schema the entities describe (no drift either way)', async () => {
    const name = await createTestDatabase();
    const ds = new DataSource(buildDataSourceOptions(dbUrl(name), 2));
    await ds.initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      const statements = pending.upQueries.map((q) => q.query);
      expect(statements).toEqual([]);
    } finally {
      await ds.destroy();
      await dropDatabase(name);
    }
  });
});
