import { eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 25 item 3: crypto-shredding deletes the wrapped data key, but the deleted row version stays in the table's
 * file until a VACUUM; with the file and the master key, the subject's data decrypted again. Read here with
 * pageinspect, as someone with the files would.
 */
describe('subjects: shredding leaves no dead row versions behind', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { SHRED_VACUUM_DELAY_SECONDS: '1' } });
    await t.asOwner('CREATE EXTENSION IF NOT EXISTS pageinspect');
  });

  afterAll(() => t.close());

  /** Tuples of every page of the table (live, dead and unused) whose data holds `needle`. */
  async function tuplesHolding(table: string, needle: Buffer): Promise<number> {
    const [{ n }] = await t.asOwner(
      `SELECT count(*)::int AS n
         FROM generate_series(0, pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS blk,
              LATERAL heap_page_items(get_raw_page($1::text, blk::int)) AS item
        WHERE item.t_data IS NOT NULL AND position($2::bytea IN item.t_data) > 0`,
      [table, needle],
    );
    return n;
  }

  /** The page bytes of the whole table, wherever `needle` still occurs in them (free space included). */
  async function rawPagesHolding(app: TestApp, table: string, needle: Buffer): Promise<number> {
    const [{ n }] = await app.asOwner(
      `SELECT count(*)::int AS n
         FROM generate_series(0, pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS blk
        WHERE position($2::bytea IN get_raw_page($1::text, blk::int)) > 0`,
      [table, needle],
    );
    return n;
  }

  async function eraseOne(app: TestApp) {
    // Neighbours on the same page, so that VACUUM cannot simply truncate the file.
    for (const n of [1, 2, 3])
      await app.request('POST', '/v1/subjects', { email: `neighbour${n}.${Date.now()}@example.com` });
    const created = await app.request('POST', '/v1/subjects', {
      email: `ola.${Date.now()}@example.com`,
      firstName: 'Ola',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [{ wrapped_key: wrapped }] = await app.dataSource.query(
      'SELECT wrapped_key FROM subject_keys WHERE subject_id = $1',
      [id],
    );
    const identifiers: { value: Buffer }[] = await app.dataSource.query(
      'SELECT value_enc AS value FROM subject_identifiers WHERE subject_id = $1',
      [id],
    );
    expect((await app.request('POST', `/v1/subjects/${id}/erase`, { reason: 'staff:test' })).status).toBe(204);
    return { wrapped: wrapped as Buffer, identifiers: identifiers.map((r) => r.value) };
  }

  const vacuumed = (app: TestApp) =>
    eventually(async () => {
      const [row] = await app.dataSource.query(
        `SELECT completed_at FROM outbox WHERE name = 'subjects.vacuum-shredded' AND completed_at IS NOT NULL`,
      );
      return row;
    }, 30_000);

  it('with SHRED_VACUUM_FULL, rewrites the key table so that not even the page bytes hold the key', async () => {
    const full = await startTestApp({ env: { SHRED_VACUUM_DELAY_SECONDS: '1', SHRED_VACUUM_FULL: 'true' } });
    try {
      await full.asOwner('CREATE EXTENSION IF NOT EXISTS pageinspect');
      const { wrapped } = await eraseOne(full);
      expect(await rawPagesHolding(full, 'subject_keys', wrapped)).toBe(1);
      await vacuumed(full);
      expect(await rawPagesHolding(full, 'subject_keys', wrapped)).toBe(0);
    } finally {
      await full.close();
    }
  });

  it('vacuums the wrapped key and the identifier ciphertexts away once the erasure is done', async () => {
    const { wrapped, identifiers } = await eraseOne(t);
    expect(identifiers.length).toBeGreaterThan(0);
    // Deleted, yet still in the file: what the VACUUM is for.
    expect(await tuplesHolding('subject_keys', wrapped)).toBe(1);
    await vacuumed(t);
    expect(await tuplesHolding('subject_keys', wrapped)).toBe(0);
    for (const value of identifiers) expect(await tuplesHolding('subject_identifiers', value)).toBe(0);
  });
});
