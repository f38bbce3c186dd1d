import { Injectable } from '@nestjs/common';
import { entryLeafHash, GENESIS_HASH, verifyBatch, type VerifyState } from './audit-chain';
import { AuditCheckpoints } from './audit-checkpoints.service';
import type { AuditEntry } from './audit-entry.entity';
import { AuditTreeRepository } from './audit-tree.repository';
import { AuditRepository } from './audit.repository';
import type { AuditFault, TrustedSource, VerifyResult } from './audit.responses';
import { append, EMPTY_FRONTIER, type Frontier, frontierRoot } from './merkle';

/** A tree a verifier trusts: a checkpoint's size and root. */
export interface TrustedRoot {
  treeSize: number;
  rootHash: string;
  /** Where it came from, echoed in the answer. */
  source: TrustedSource;
}

const BATCH = 5000;

/**
 * Recomputes the audit log's evidence from the entries themselves (issue 16 item 2): the legacy hash chain, every
 * sealed entry against its leaf, the tree's root from the leaves, and that root against a trusted checkpoint's.
 * Flat memory: entries stream in batches and only the tree's right edge is kept.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly entries: AuditRepository,
    private readonly tree: AuditTreeRepository,
    private readonly checkpoints: AuditCheckpoints,
  ) {}

  /**
   * Against the checkpoint given (a JWS kept outside, its signature checked), else the latest one recorded, else the
   * tree row. Only a checkpoint kept outside the database proves anything against someone who can rewrite it.
   */
  async verify(checkpointJws?: string): Promise<VerifyResult> {
    if (checkpointJws)
      return this.verifyAgainst({ ...(await this.checkpoints.open(checkpointJws)), source: 'checkpoint' });
    const latest = await this.checkpoints.latest();
    if (latest)
      return this.verifyAgainst({ ...(await this.checkpoints.open(latest.jws)), source: 'stored_checkpoint' });
    const tree = await this.tree.tree();
    return this.verifyAgainst({ treeSize: Number(tree.size), rootHash: tree.root.toString('hex'), source: 'tree' });
  }

  async verifyAgainst(trusted: TrustedRoot): Promise<VerifyResult> {
    const legacy = await this.verifyLegacyChain();
    const stored = await this.tree.tree();
    let frontier: Frontier = EMPTY_FRONTIER;
    let fault: AuditFault | undefined = legacy.fault;
    let rootAtTrusted: Buffer | undefined = trusted.treeSize === 0 ? frontierRoot(frontier) : undefined;
    for (let from = 0; !fault;) {
      // The tree as the row read above describes it: leaves the sequencer adds meanwhile are for the next check.
      const rows = await this.tree.leavesFrom(String(from), stored.size, BATCH);
      if (!rows.length) break;
      for (const row of rows) {
        const position = Number(row.position);
        if (position !== from) {
          fault = { kind: 'removed', position: from, detail: 'a leaf of the tree is missing' };
          break;
        }
        if (row.seq === null || row.seq === undefined) {
          fault = { kind: 'removed', position, seq: row.leafSeq, detail: 'a sealed entry is missing' };
          break;
        }
        if (!entryLeafHash(row as AuditEntry).equals(row.leafHash)) {
          fault = { kind: 'edited', position, seq: row.leafSeq, detail: 'the entry differs from its leaf' };
          break;
        }
        frontier = append(frontier, row.leafHash);
        from += 1;
        if (from === trusted.treeSize) rootAtTrusted = frontierRoot(frontier);
      }
    }
    if (!fault && frontier.size < trusted.treeSize)
      fault = {
        kind: 'truncated',
        position: frontier.size,
        detail: `the tree ends at ${frontier.size}, before the ${trusted.treeSize} entries of the trusted checkpoint`,
      };
    if (!fault && rootAtTrusted && rootAtTrusted.toString('hex') !== trusted.rootHash)
      fault = {
        kind: 'rewritten',
        position: 0,
        detail: `the first ${trusted.treeSize} leaves do not give the trusted root: entries below it were rewritten`,
      };
    if (!fault && frontier.size !== Number(stored.size))
      fault = { kind: 'truncated', position: frontier.size, detail: 'the tree ends before its own row says' };
    if (!fault && !frontierRoot(frontier).equals(stored.root))
      fault = { kind: 'rewritten', position: 0, detail: 'the leaves do not give the root the tree row holds' };
    if (!fault) {
      const orphan = await this.tree.unsealedBehindCursor({ tx: stored.lastTx, seq: stored.lastSeq });
      if (orphan) fault = { kind: 'removed', seq: orphan, detail: 'a sealed entry lost its leaf' };
    }
    return {
      valid: !fault,
      checked: frontier.size,
      treeSize: frontier.size,
      rootHash: frontierRoot(frontier).toString('hex'),
      trusted: { treeSize: trusted.treeSize, rootHash: trusted.rootHash, source: trusted.source },
      head: legacy.head,
      ...(fault ? { fault, firstInvalidSeq: fault.seq ?? legacy.firstInvalidSeq } : {}),
    };
  }

  /** The chain of entries from before the Merkle tree: each hash over its predecessor's, from the genesis hash. */
  private async verifyLegacyChain(): Promise<{
    head: VerifyResult['head'];
    fault?: AuditFault;
    firstInvalidSeq?: string;
  }> {
    let state: VerifyState = { prevHash: GENESIS_HASH, expectedSeq: 1n, checked: 0 };
    for (let after = '0'; ;) {
      const rows = await this.entries.legacyAfter(after, BATCH);
      if (!rows.length) break;
      state = verifyBatch(state, rows as (AuditEntry & { prevHash: string; hash: string })[]);
      if (state.firstInvalidSeq) break;
      after = rows[rows.length - 1].seq;
    }
    const head = (await this.entries.legacyHead()) ?? null;
    if (!state.firstInvalidSeq) return { head };
    const seq = state.firstInvalidSeq;
    return { head, firstInvalidSeq: seq, fault: { kind: 'edited', seq, detail: 'the legacy hash chain breaks here' } };
  }
}
