import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { CsvMapping } from './csv-records';

export const IMPORT_STATUSES = ['awaiting_file', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A bulk import of consent history (issue 14 item 1): a job with progress counters. Ids and counts only. */
@Entity({ name: 'consent_imports' })
@Check('ck_consent_imports_format', `format IN ('ndjson', 'csv')`)
@Check(
  'ck_consent_imports_status',
  `status IN ('awaiting_file', 'queued', 'running', 'completed', 'failed', 'cancelled')`,
)
export class ConsentImport {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  format: 'ndjson' | 'csv';

  /** CSV only: its columns (and values) to row fields. */
  @Column({ type: 'jsonb', nullable: true })
  mapping: CsvMapping | null;

  @Column({ type: 'text' })
  status: ImportStatus;

  /** Rows checked and counted, nothing written. */
  @Column({ type: 'boolean' })
  dryRun: boolean;

  /** Fields every row gets unless it has its own (`locale`, `source`, ...). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  defaults: Record<string, unknown>;

  @Column({ type: 'bigint', nullable: true })
  size: string | null;

  @Column({ type: 'int', default: 0 })
  rowsRead: number;

  @Column({ type: 'int', default: 0 })
  rowsImported: number;

  @Column({ type: 'int', default: 0 })
  rowsSkipped: number;

  @Column({ type: 'int', default: 0 })
  rowsFailed: number;

  @Column({ type: 'text' })
  createdBy: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** One piece of an uploaded file, in upload order: the file is never held whole in memory. */
@Entity({ name: 'consent_import_chunks' })
export class ConsentImportChunk {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @ManyToOne(() => ConsentImport, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'fk_consent_import_chunks_import' })
  owner?: ConsentImport;

  @PrimaryColumn({ type: 'int' })
  n: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}

/** Why a row was not imported: row, field and code, never the value (it may be personal data). */
@Entity({ name: 'consent_import_errors' })
export class ConsentImportError {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @ManyToOne(() => ConsentImport, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id', foreignKeyConstraintName: 'fk_consent_import_errors_import' })
  owner?: ConsentImport;

  @PrimaryColumn({ type: 'int' })
  rowNumber: number;

  @PrimaryColumn({ type: 'text' })
  field: string;

  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  message: string;
}
