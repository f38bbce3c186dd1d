import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEntry } from './audit-entry.entity';

/** The sealed tree's state: its size, its right edge, its root and the last entry sealed, as (tx, seq). */
export interface TreeState {
  size: string;
  lastTx: string | null;
  lastSeq: string | null;
  frontier: Buffer[];
  root: Buffer;
  sealedAt: Date | null;
}

/** A leaf and the entry it seals; the entry's columns are null when the entry is gone. */
export type LeafRow = { position: string; leafSeq: string; leafHash: Buffer } & Partial<AuditEntry>;

const ENTRY_COLUMNS = `a.seq, a.id, a.occurred_at AS "occurredAt", a.actor_type AS "actorType", a.actor_id AS "actorId",
  a.action, a.target_type AS "targetType", a.target_id AS "targetId", a.subject_id AS "subjectId", a.reason,
  a.correlation_id AS "correlationId", a.data`;

const TREE_COLUMNS = `size, last_tx AS "lastTx", last_seq AS "lastSeq", frontier, root, sealed_at AS "sealedAt"`;

/** The SQL of the Merkle tree over the audit log: the sequencer's reads and writes and the verifier's reads. */
@Injectable()
export class AuditTreeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The tree's one row, locked for this sealing transaction. SKIP LOCKED: a second worker finds it taken and leaves
   * the batch to the first, rather than queueing behind it (the lock is the sequencer's own; writers never take it).
   */
  async lockTree(m: EntityManager): Promise<TreeState | undefined> {
    const [row] = (await m.query(
      `SELECT ${TREE_COLUMNS} FROM audit_tree WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    )) as TreeState[];
    return row;
  }

  async tree(m: EntityManager = this.dataSource.manager): Promise<TreeState> {
    const [row] = (await m.query(`SELECT ${TREE_COLUMNS} FROM audit_tree WHERE id = 1`)) as TreeState[];
    return row;
  }

  /**
   * The next entries to seal, in (tx, seq) order after the last sealed one. Only transactions older than every
   * running one (below the snapshot's xmin) are taken: they have all ended, so no entry can still appear before the
   * cursor, and the order sealed is final.
   */
  sealable(
    m: EntityManager,
    after: { tx: string | null; seq: string | null },
    limit: number,
  ): Promise<(AuditEntry & { tx: string })[]> {
    return m.query(
      `SELECT ${ENTRY_COLUMNS}, a.tx FROM audit_log a
        WHERE (a.tx, a.seq) > ($1::bigint, $2::bigint)
          AND a.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        ORDER BY a.tx, a.seq LIMIT $3`,
      [after.tx ?? '0', after.seq ?? '0', limit],
    ) as Promise<(AuditEntry & { tx: string })[]>;
  }

  async insertLeaves(m: EntityManager, from: bigint, seqs: string[], hashes: Buffer[]): Promise<void> {
    await m.query(
      `INSERT INTO audit_leaves (position, seq, leaf_hash)
       SELECT $1::bigint + n - 1, seq, h FROM unnest($2::bigint[], $3::bytea[]) WITH ORDINALITY AS u(seq, h, n)`,
      [from.toString(), seqs, hashes],
    );
  }

  async updateTree(m: EntityManager, t: Omit<TreeState, 'sealedAt'>): Promise<void> {
    await m.query(
      `UPDATE audit_tree SET size = $1, last_tx = $2, last_seq = $3, frontier = $4::bytea[], root = $5,
              sealed_at = now() WHERE id = 1`,
      [t.size, t.lastTx, t.lastSeq, t.frontier, t.root],
    );
  }

  /** Leaves of [from, to) in position order, each with its entry (left join: a removed entry reads as nulls). */
  leavesFrom(from: string, to: string, limit: number, m: EntityManager = this.dataSource.manager): Promise<LeafRow[]> {
    return m.query(
      `SELECT l.position, l.seq AS "leafSeq", l.leaf_hash AS "leafHash", ${ENTRY_COLUMNS}
         FROM audit_leaves l LEFT JOIN audit_log a ON a.seq = l.seq
        WHERE l.position >= $1 AND l.position < $2 ORDER BY l.position LIMIT $3`,
      [from, to, limit],
    ) as Promise<LeafRow[]>;
  }

  async leafOf(
    seq: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ position: string; hash: Buffer } | null> {
    const [row] = (await m.query(`SELECT position, leaf_hash AS hash FROM audit_leaves WHERE seq = $1`, [seq])) as {
      position: string;
      hash: Buffer;
    }[];
    return row ?? null;
  }

  /** The leaf positions of these entries, for those sealed. */
  async positionsOf(seqs: string[], m: EntityManager = this.dataSource.manager): Promise<Map<string, number>> {
    const rows = (await m.query(`SELECT seq, position FROM audit_leaves WHERE seq = ANY($1::bigint[])`, [seqs])) as {
      seq: string;
      position: string;
    }[];
    return new Map(rows.map((r) => [r.seq, Number(r.position)]));
  }

  /** Leaf hashes of positions [from, to), for proofs. */
  async leafHashes(from: number, to: number, m: EntityManager = this.dataSource.manager): Promise<Buffer[]> {
    const rows = (await m.query(
      `SELECT leaf_hash AS h FROM audit_leaves WHERE position >= $1 AND position < $2 ORDER BY position`,
      [from, to],
    )) as { h: Buffer }[];
    return rows.map((r) => r.h);
  }

  /** Entries below the tree's cursor that no leaf seals: an entry sealed and then its leaf removed. */
  async unsealedBehindCursor(
    after: { tx: string | null; seq: string | null },
    m: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const [row] = (await m.query(
      `SELECT a.seq FROM audit_log a LEFT JOIN audit_leaves l ON l.seq = a.seq
        WHERE (a.tx, a.seq) <= ($1::bigint, $2::bigint) AND l.seq IS NULL ORDER BY a.tx, a.seq LIMIT 1`,
      [after.tx ?? '0', after.seq ?? '0'],
    )) as { seq: string }[];
    return row?.seq ?? null;
  }

  /** How long the oldest entry not yet sealed has waited, in seconds (0 when all are sealed). */
  async sealingLagSeconds(
    after: { tx: string | null; seq: string | null },
    m: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const [row] = (await m.query(
      `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float8 AS lag
         FROM audit_log WHERE (tx, seq) > ($1::bigint, $2::bigint)`,
      [after.tx ?? '0', after.seq ?? '0'],
    )) as { lag: number }[];
    return Math.max(0, row.lag);
  }
}
