import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Env } from '../config/env';
import { entryLeafHash } from './audit-chain';
import { AuditCheckpoints } from './audit-checkpoints.service';
import { AuditTreeRepository } from './audit-tree.repository';
import { append, type Frontier, frontierRoot } from './merkle';

const BATCH = 2000;

/**
 * The sequencer (issue 16 item 2), in the worker: seals committed audit entries into the RFC 9162 tree, a batch per
 * transaction. Leaves, the new right edge and the root commit together, so a sequencer killed mid-batch leaves the
 * tree as it was and the next run seals the same entries once (positions are the primary key, seqs unique).
 * Writers never wait for it: they only INSERT, and it reads what they committed.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealer.name);
  private timer?: NodeJS.Timeout;
  /** The tick in progress; it never rejects (it logs its own failures). */
  private running?: Promise<void>;
  private stopped = false;
  private failures = 0;
  private lastCheckpointAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: AuditTreeRepository,
    private readonly checkpoints: AuditCheckpoints,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Seals until nothing sealable is left; returns how many entries it sealed. Public for tests. */
  async sealAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await this.sealBatch(BATCH);
      if (sealed <= 0) return total;
      total += sealed;
    }
  }

  /** One batch in one transaction; -1 when another sequencer holds the tree (it will seal these). */
  async sealBatch(limit: number): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const tree = await this.repo.lockTree(m);
      if (!tree) return -1;
      const rows = await this.repo.sealable(m, { tx: tree.lastTx, seq: tree.lastSeq }, limit);
      if (!rows.length) return 0;
      let frontier: Frontier = { size: Number(tree.size), nodes: tree.frontier };
      const hashes = rows.map((r) => entryLeafHash(r));
      for (const h of hashes) frontier = append(frontier, h);
      const last = rows[rows.length - 1];
      await this.repo.insertLeaves(
        m,
        BigInt(tree.size),
        rows.map((r) => r.seq),
        hashes,
      );
      await this.repo.updateTree(m, {
        size: String(frontier.size),
        lastTx: last.tx,
        lastSeq: last.seq,
        frontier: frontier.nodes,
        root: frontierRoot(frontier),
      });
      return rows.length;
    });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    try {
      await this.sealAll();
      if (Date.now() - this.lastCheckpointAt >= this.env.AUDIT_CHECKPOINT_INTERVAL * 1000) {
        await this.checkpoints.issue();
        this.lastCheckpointAt = Date.now();
      }
      this.failures = 0;
    } catch (error) {
      // The database (or the checkpoint directory) away: nothing was sealed or recorded half (the batch rolled back; a
      // checkpoint is recorded only once written out); the entries wait, and the lag metric shows it.
      this.failures += 1;
      if (this.failures <= 3 || this.failures % 60 === 0)
        this.logger.warn(
          { error: (error as Error).message, failures: this.failures },
          'audit sealing or checkpointing failed',
        );
    } finally {
      this.schedule(this.env.AUDIT_SEAL_INTERVAL_MS);
    }
  }
}
