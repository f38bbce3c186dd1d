import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { Env } from '../config/env';

/** The tables an erasure leaves dead row versions in, each of which held the subject's key or ciphertexts. */
const SHREDDED_TABLES = ['subject_keys', 'subject_identifiers', 'subject_entries', 'subject_holds', 'subjects'];

/**
 * PostgreSQL 15 lets only a table's owner VACUUM it, and the service works as the runtime role (issue 16): these
 * statements run on a connection of the owner's own (DATABASE_MIGRATION_URL, or the one DATABASE_URL), opened for
 * them. A VACUUM it may not run is a warning, not an error, in PostgreSQL: it is made one here, so a worker without the
 * owner's URL fails the job loudly instead of leaving the shredded rows on disk.
 */
@Injectable()
export class ShredVacuumRepository {
  constructor(private readonly env: Env) {}

  async vacuum(): Promise<void> {
    await this.asOwner(`VACUUM ${SHREDDED_TABLES.join(', ')}`);
  }

  /**
   * Rewrites the key table into a new file (the old one is unlinked): a plain VACUUM frees a dead version's slot
   * but leaves its bytes in the page's free space until something overwrites them. Takes an exclusive lock on
   * `subject_keys` for the rewrite (reads of subjects wait for it).
   */
  async rewriteKeys(): Promise<void> {
    await this.asOwner('VACUUM FULL subject_keys');
  }

  private async asOwner(sql: string): Promise<void> {
    const client = new Client({
      connectionString: this.env.DATABASE_MIGRATION_URL ?? this.env.DATABASE_URL,
      application_name: 'zgoda',
    });
    const skipped: string[] = [];
    client.on('notice', (n) => {
      if (/only table or database owner can vacuum|permission denied to vacuum/.test(n.message ?? ''))
        skipped.push(n.message ?? '');
    });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    if (skipped.length) throw new Error(`VACUUM skipped (not the owner): give the worker DATABASE_MIGRATION_URL`);
  }
}
