/**
 * Deletes in batches of `batch` until a batch comes back short: each batch is its own short statement, so a purge
 * of millions of rows never holds a long lock. The total deleted.
 */
export async function purgeInBatches(deleteBatch: (limit: number) => Promise<number>, batch = 5000): Promise<number> {
  let total = 0;
  for (let n = batch; n === batch; total += n) n = await deleteBatch(batch);
  return total;
}

/** One batch of a purge: a `DELETE` through TypeORM's `query()`, which answers `[rows, count]` for it; the count. */
export async function deletedCount(
  source: { query: (sql: string, params: unknown[]) => Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<number> {
  const [, count] = (await source.query(sql, params)) as [unknown[], number];
  return count;
}
