import { Injectable } from '@nestjs/common';
import { entryLeafHash, GENESIS_HASH, verifyBatch, type VerifyState } from './audit-chain';
import type { AuditEntry } from './audit-entry.entity';
import { AuditTreeRepository } from './audit-tree.repository';
import { AuditRepository } from './audit.repository';
import type { AuditFault, VerifyResult } from './audit.responses';
import { append, EMPTY_FRONTIER, type Frontier, frontierRoot } from './merkle';

/** A tree a verifier trusts from outside the database: a checkpoint's size and root. */
export interface TrustedRoot {
  treeSize: string;
  rootHash: string;
  /** Where it came from, echoed in the answer. */
  source: 'checkpoint' | 'stored';
}

const BATCH = 5000;

/**
 * Recomputes the audit log's evidence from the entries themselves (issue 16 item 2): the legacy hash chain, every
 * sealed entry against its leaf, the tree's root from the leaves, and that root against a root trusted from outside.
 * Flat memory: entries stream in batches and only the tree's right edge is kept.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly entries: AuditRepository,
    private readonly tree: AuditTreeRepository,
  ) {}

  async verify(trusted?: TrustedRoot): Promise<VerifyResult> {
    const legacy = await this.verifyLegacyChain();
    const stored = await this.tree.tree();
    const expected = trusted ?? { treeSize: stored.size, rootHash: stored.root.toString('hex'), source: 'stored' };
    const expectedSize = BigInt(expected.treeSize);
    let frontier: Frontier = EMPTY_FRONTIER;
    let fault: AuditFault | undefined = legacy.fault;
    let rootAtExpected: Buffer | undefined = expectedSize === 0n ? frontierRoot(frontier) : undefined;
    for (let from = 0n; !fault;) {
      const rows = await this.tree.leavesFrom(from.toString(), BATCH);
      if (!rows.length) break;
      for (const row of rows) {
        const position = BigInt(row.position);
        if (position !== from) {
          fault = { kind: 'removed', position: from.toString(), detail: 'a leaf of the tree is missing' };
          break;
        }
        if (row.seq === null || row.seq === undefined) {
          fault = { kind: 'removed', position: row.position, seq: row.leafSeq, detail: 'a sealed entry is missing' };
          break;
        }
        if (!entryLeafHash(row as AuditEntry).equals(row.leafHash)) {
          fault = {
            kind: 'edited',
            position: row.position,
            seq: row.leafSeq,
            detail: 'the entry differs from its leaf',
          };
          break;
        }
        frontier = append(frontier, row.leafHash);
        from += 1n;
        if (from === expectedSize) rootAtExpected = frontierRoot(frontier);
      }
    }
    if (!fault && BigInt(frontier.size) < expectedSize)
      fault = { kind: 'truncated', position: String(frontier.size), detail: `the tree ends before ${expectedSize}` };
    if (!fault && rootAtExpected && rootAtExpected.toString('hex') !== expected.rootHash)
      fault = {
        kind: 'rewritten',
        position: '0',
        detail: `the first ${expectedSize} leaves do not give the trusted root: a leaf below it was rewritten`,
      };
    if (!fault && String(frontier.size) !== stored.size)
      fault = { kind: 'truncated', position: String(frontier.size), detail: 'the tree row and its leaves disagree' };
    if (!fault) {
      const orphan = await this.tree.unsealedBehindCursor({ tx: stored.lastTx, seq: stored.lastSeq });
      if (orphan) fault = { kind: 'removed', seq: orphan, detail: 'a sealed entry lost its leaf' };
    }
    return {
      valid: !fault,
      checked: frontier.size,
      treeSize: String(frontier.size),
      rootHash: frontierRoot(frontier).toString('hex'),
      trusted: { treeSize: expected.treeSize, rootHash: expected.rootHash, source: expected.source },
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
