import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/json/canonical-json';

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

/** hash = SHA-256(previous hash + canonical entry): altering, removing or reordering any entry breaks every later hash. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const canonical = canonicalJson({
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
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
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
