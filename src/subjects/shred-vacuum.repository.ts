import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The tables an erasure leaves dead row versions in, each of which held the subject's key or ciphertexts. */
const SHREDDED_TABLES = ['subject_keys', 'subject_identifiers', 'subject_entries', 'subject_holds', 'subjects'];

@Injectable()
export class ShredVacuumRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** VACUUM runs outside a transaction: on a pool connection of its own, never inside the caller's. */
  async vacuum(): Promise<void> {
    await this.dataSource.query(`VACUUM ${SHREDDED_TABLES.join(', ')}`);
  }

  /**
   * Rewrites the key table into a new file (the old one is unlinked): a plain VACUUM frees a dead version's slot
   * but leaves its bytes in the page's free space until something overwrites them. Takes an exclusive lock on
   * `subject_keys` for the rewrite (reads of subjects wait for it).
   */
  async rewriteKeys(): Promise<void> {
    await this.dataSource.query('VACUUM FULL subject_keys');
  }
}
