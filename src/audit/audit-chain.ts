import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/json/canonical-json';
import { leafHash } from './merkle';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  seq: string;
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  subjectId: string | null;
  reason: string | null;
  correlationId: string | null;
  data: Record<string, unknown> | null;
}

/** The bytes an entry is hashed as, in the legacy chain and as a leaf of the Merkle tree alike. */
export function canonicalEntry(e: ChainedFields): string {
  return canonicalJson({
    seq: String(e.seq),
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    subjectId: e.subjectId,
    reason: e.reason,
    correlationId: e.correlationId,
    data: e.data,
  });
}

/** RFC 9162 leaf hash of an entry: what the sequencer seals and what a verifier recomputes. */
export const entryLeafHash = (e: ChainedFields): Buffer => leafHash(Buffer.from(canonicalEntry(e), 'utf8'));

/**
 * The chain of entries written before the Merkle tree (migration 1763800030000): hash = SHA-256(previous hash +
 * canonical entry), so altering, removing or reordering one breaks every later hash.
 */
export function chainHash(prevHash: string, e: ChainedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEntry(e)).digest('hex');
}

export interface VerifyState {
  prevHash: string;
  expectedSeq: bigint;
  checked: number;
  firstInvalidSeq?: string;
}

/** Feeds entries in seq order; stops at the first entry whose link or hash is wrong. */
export function verifyBatch(
  state: VerifyState,
  entries: (ChainedFields & { prevHash: string; hash: string })[],
): VerifyState {
  for (const e of entries) {
    if (state.firstInvalidSeq) return state;
    const seqOk = BigInt(e.seq) === state.expectedSeq;
    const ok = seqOk && e.prevHash === state.prevHash && chainHash(state.prevHash, e) === e.hash;
    if (!ok) return { ...state, firstInvalidSeq: String(e.seq) };
    state = { prevHash: e.hash, expectedSeq: state.expectedSeq + 1n, checked: state.checked + 1 };
  }
  return state;
}
