import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentImport, ConsentImportChunk, ConsentImportError } from './consent-import.entity';

/** The SQL of consent imports (issue 14 item 1). */
@Injectable()
export class ImportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: Partial<ConsentImport>): Promise<void> {
    await this.dataSource.getRepository(ConsentImport).insert(row as never);
  }

  find(id: string, m: EntityManager = this.dataSource.manager): Promise<ConsentImport | null> {
    return m.getRepository(ConsentImport).findOne({ where: { id } });
  }

  /** The most recent imports first (the console's list). */
  recent(limit: number): Promise<ConsentImport[]> {
    return this.dataSource.getRepository(ConsentImport).find({ order: { createdAt: 'DESC' }, take: limit });
  }

  lock(m: EntityManager, id: string): Promise<ConsentImport | null> {
    return m.getRepository(ConsentImport).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(m: EntityManager, id: string, patch: Partial<ConsentImport>): Promise<void> {
    await m.getRepository(ConsentImport).update(id, patch as never);
  }

  async insertChunk(m: EntityManager, importId: string, n: number, data: Buffer): Promise<void> {
    await m.getRepository(ConsentImportChunk).insert({ importId, n, data });
  }

  async deleteChunks(m: EntityManager, importId: string): Promise<void> {
    await m.getRepository(ConsentImportChunk).delete({ importId });
  }

  /** One chunk at a time: the worker's memory holds one piece of the file, whatever its size. */
  chunk(importId: string, n: number): Promise<ConsentImportChunk | null> {
    return this.dataSource.getRepository(ConsentImportChunk).findOne({ where: { importId, n } });
  }

  /**
   * One entry per row and field: a field broken two ways (a version neither given nor an integer) is one entry with
   * both messages. Two rows with the same key in one upsert would fail the statement ("ON CONFLICT DO UPDATE
   * command cannot affect row a second time"), and with it the import's job on every retry.
   */
  async insertErrors(m: EntityManager, errors: Omit<ConsentImportError, 'owner'>[]): Promise<void> {
    const byKey = new Map<string, Omit<ConsentImportError, 'owner'>>();
    for (const e of errors) {
      const key = `${e.rowNumber}\u0000${e.field}`;
      const seen = byKey.get(key);
      byKey.set(key, seen ? { ...seen, message: `${seen.message}; ${e.message}` } : e);
    }
    if (byKey.size)
      await m.getRepository(ConsentImportError).upsert([...byKey.values()], ['importId', 'rowNumber', 'field']);
  }

  /** Keyset on (row, field): a row with several errors is never split across pages and lost. */
  errorsAfter(importId: string, after: { row: number; field: string }, limit: number): Promise<ConsentImportError[]> {
    return this.dataSource
      .getRepository(ConsentImportError)
      .createQueryBuilder('e')
      .where('e.importId = :importId AND (e.rowNumber, e.field) > (:row, :field)', { importId, ...after })
      .orderBy('e.rowNumber', 'ASC')
      .addOrderBy('e.field', 'ASC')
      .limit(limit)
      .getMany();
  }
}
