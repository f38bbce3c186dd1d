import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentText } from './consent-text.entity';
import { Purpose } from './purpose.entity';

/** SQL for purposes and their text versions. Writers pass the transaction's manager. */
@Injectable()
export class PurposesRepository {
  constructor(private readonly dataSource: DataSource) {}

  findByKey(key: string, m: EntityManager = this.dataSource.manager): Promise<Purpose | null> {
    return m.getRepository(Purpose).findOne({ where: { key } });
  }

  /** Serialises text changes and publications of one purpose. */
  lockByKey(m: EntityManager, key: string): Promise<Purpose | null> {
    return m.getRepository(Purpose).findOne({ where: { key }, lock: { mode: 'pessimistic_write' } });
  }

  /** Inserts unless the key is taken; returns null when it is. */
  async insertIfAbsent(m: EntityManager, values: Partial<Purpose>): Promise<Purpose | null> {
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(Purpose)
      .values(values as never)
      .orIgnore()
      .returning('*')
      .execute();
    if (!result.raw.length) return null;
    return m.getRepository(Purpose).findOneOrFail({ where: { key: values.key } });
  }

  async update(m: EntityManager, id: string, patch: Partial<Purpose>): Promise<void> {
    await m.getRepository(Purpose).update(id, patch as never);
  }

  listAfter(afterKey: string | undefined, limit: number): Promise<Purpose[]> {
    const qb = this.dataSource.getRepository(Purpose).createQueryBuilder('p').orderBy('p.key', 'ASC').limit(limit);
    if (afterKey) qb.where('p.key > :afterKey', { afterKey });
    return qb.getMany();
  }

  listAll(): Promise<Purpose[]> {
    return this.dataSource.getRepository(Purpose).find({ order: { key: 'ASC' } });
  }

  findByKeys(keys: string[]): Promise<Purpose[]> {
    if (!keys.length) return Promise.resolve([]);
    return this.dataSource
      .getRepository(Purpose)
      .createQueryBuilder('p')
      .where('p.key = ANY(:keys)', { keys })
      .getMany();
  }

  findVersion(m: EntityManager, purposeKey: string, version: number): Promise<ConsentText[]> {
    return m.getRepository(ConsentText).find({ where: { purposeKey, version }, order: { locale: 'ASC' } });
  }

  async maxVersion(m: EntityManager, purposeKey: string): Promise<number> {
    const [row] = (await m.query('SELECT max(version)::int AS v FROM consent_texts WHERE purpose_key = $1', [
      purposeKey,
    ])) as { v: number | null }[];
    return row?.v ?? 0;
  }

  /** Adds or replaces one locale of a draft version (the trigger refuses it for a published one). */
  async upsertDraft(m: EntityManager, row: Pick<ConsentText, 'purposeKey' | 'version' | 'locale' | 'title' | 'body'>) {
    await m.query(
      `INSERT INTO consent_texts (purpose_key, version, locale, title, body, requires_reconsent)
       VALUES ($1, $2, $3, $4, $5, false)
       ON CONFLICT (purpose_key, version, locale) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body`,
      [row.purposeKey, row.version, row.locale, row.title, row.body],
    );
  }

  async deleteDraftVersion(m: EntityManager, purposeKey: string, version: number): Promise<void> {
    await m.query('DELETE FROM consent_texts WHERE purpose_key = $1 AND version = $2', [purposeKey, version]);
  }

  async publishLocale(
    m: EntityManager,
    id: string,
    values: { rendered: string; sha256: string; publishedAt: Date; requiresReconsent: boolean },
  ): Promise<void> {
    await m.getRepository(ConsentText).update(id, values);
  }

  /** A published text of the purpose with exactly these words (by their SHA-256), in any version. */
  findPublishedBySha(m: EntityManager, purposeKey: string, sha256: string): Promise<ConsentText | null> {
    return m.getRepository(ConsentText).findOne({ where: { purposeKey, sha256 }, order: { version: 'DESC' } });
  }

  /** An imported text, published as given: frozen by the trigger from this insert on. */
  async insertImportedText(
    m: EntityManager,
    row: Pick<ConsentText, 'purposeKey' | 'locale' | 'title' | 'body' | 'sha256' | 'publishedAt'>,
  ): Promise<number> {
    const [{ v }] = (await m.query(
      'SELECT LEAST(COALESCE(min(version), 1), 1) - 1 AS v FROM consent_texts WHERE purpose_key = $1',
      [row.purposeKey],
    )) as { v: number }[];
    await m.getRepository(ConsentText).insert({
      ...row,
      version: v,
      rendered: row.body,
      requiresReconsent: false,
      imported: true,
    });
    return v;
  }

  findText(purposeKey: string, version: number, locale: string, m: EntityManager = this.dataSource.manager) {
    return m.getRepository(ConsentText).findOne({ where: { purposeKey, version, locale } });
  }

  async hasPublishedVersion(m: EntityManager, purposeKey: string, version: number): Promise<boolean> {
    const rows = (await m.query(
      'SELECT 1 FROM consent_texts WHERE purpose_key = $1 AND version = $2 AND published_at IS NOT NULL LIMIT 1',
      [purposeKey, version],
    )) as unknown[];
    return rows.length > 0;
  }

  async listVersions(purposeKey: string) {
    return (await this.dataSource.query(
      `SELECT version, min(published_at) AS published_at, bool_or(requires_reconsent) AS requires_reconsent,
              array_agg(locale ORDER BY locale) AS locales
         FROM consent_texts WHERE purpose_key = $1 GROUP BY version ORDER BY version DESC`,
      [purposeKey],
    )) as { version: number; published_at: Date | null; requires_reconsent: boolean; locales: string[] }[];
  }
}
