import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { AuditTreeRepository } from './audit-tree.repository';
import {
  append,
  consistencyProofBy,
  EMPTY_FRONTIER,
  type Frontier,
  frontierRoot,
  inclusionPathBy,
  rootFromPath,
  type SubtreeRoot,
} from './merkle';

// Leaf hashes read per query while folding a subtree: 32 bytes each, so about 1.6 MB at a time.
const BATCH = 50_000;

export interface InclusionProof {
  seq: string;
  position: number;
  treeSize: number;
  leafHash: string;
  path: string[];
  rootHash: string;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  fromRoot: string;
  toRoot: string;
  proof: string[];
}

const hex = (b: Buffer) => b.toString('hex');

/**
 * RFC 9162 proofs over the sealed tree (issue 16 item 2): that an entry is in the tree a checkpoint signed (inclusion),
 * and that a later tree extends an earlier one (consistency). The sibling subtrees a proof needs are folded from their
 * leaf hashes in batches: memory stays flat, and a proof reads each leaf of the tree asked for at most once (32 bytes
 * each, so 32 MB in a tree of a million entries).
 */
@Injectable()
export class AuditProofs {
  constructor(private readonly tree: AuditTreeRepository) {}

  async inclusion(seq: string, treeSize?: number): Promise<InclusionProof> {
    const size = await this.sizeWithin(treeSize ?? null, 1);
    const leaf = await this.tree.leafOf(seq);
    if (!leaf || Number(leaf.position) >= size)
      throw new ProblemError('audit_entry_not_sealed', `Entry ${seq} is not in the tree of ${size} entries (yet).`);
    const position = Number(leaf.position);
    const path = await inclusionPathBy(position, size, this.subtreeRoot());
    return {
      seq,
      position,
      treeSize: size,
      leafHash: hex(leaf.hash),
      path: path.map(hex),
      // The siblings and the leaf make the root: no second pass over the leaves.
      rootHash: hex(rootFromPath(leaf.hash, position, size, path)!),
    };
  }

  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    const size = await this.sizeWithin(to, 1);
    if (from < 1 || from > size)
      throw new ProblemError('tree_size_out_of_range', `from must be between 1 and to (${size}).`);
    const root = this.subtreeRoot();
    return {
      from,
      to: size,
      fromRoot: hex(await root(0, from)),
      toRoot: hex(await root(0, size)),
      proof: (await consistencyProofBy(from, size, root)).map(hex),
    };
  }

  /** MTH of leaves [lo, hi), folded batch by batch from the database. */
  private subtreeRoot(): SubtreeRoot {
    return async (lo, hi) => {
      let frontier: Frontier = EMPTY_FRONTIER;
      for (let from = lo; from < hi; from += BATCH)
        for (const h of await this.tree.leafHashes(from, Math.min(hi, from + BATCH))) frontier = append(frontier, h);
      return frontierRoot(frontier);
    };
  }

  /** The size asked for, or the sealed tree's; a size the tree has not reached is refused. */
  private async sizeWithin(asked: number | null, min: number): Promise<number> {
    const sealed = Number((await this.tree.tree()).size);
    const size = asked ?? sealed;
    if (size < min || size > sealed)
      throw new ProblemError('tree_size_out_of_range', `The sealed tree has ${sealed} entries; ${size} was asked.`);
    return size;
  }
}
