/**
 * Deletes in batches of `batch` until a batch comes back short: each batch is its own short statement, so a purge
 * of millions of rows never holds a long lock. The total deleted.
 */
export async function purgeInBatches(deleteBatch: (limit: number) => Promise<number>, batch = 5000): Promise<number> {
  let total = 0;
  for (let n = batch; n === batch; total += n) n = await deleteBatch(batch);
  return total;
}

/** How many rows a `DELETE` run through TypeORM's `query()` removed: it answers `[rows, count]` for one. */
export function affectedRows(result: unknown): number {
  return (result as [unknown[], number])[1];
}
