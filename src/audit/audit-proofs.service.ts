import { Injectable } from '@nestjs/common';
import { ProblemError } from '../common/problem/problem.error';
import { AuditTreeRepository } from './audit-tree.repository';
import { consistencyProof, inclusionPath, rootOf } from './merkle';

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
 * and that a later tree extends an earlier one (consistency). Each reads the leaf hashes of the tree asked for: 32
 * bytes a leaf, so a proof in a tree of a million entries reads 32 MB.
 */
@Injectable()
export class AuditProofs {
  constructor(private readonly tree: AuditTreeRepository) {}

  async inclusion(seq: string, treeSize?: number): Promise<InclusionProof> {
    const size = await this.sizeWithin(treeSize ?? null, 1);
    const leaf = await this.tree.leafOf(seq);
    if (!leaf || Number(leaf.position) >= size)
      throw new ProblemError('audit_entry_not_sealed', `Entry ${seq} is not in the tree of ${size} entries (yet).`);
    const leaves = await this.tree.leafHashes(0, size);
    const position = Number(leaf.position);
    return {
      seq,
      position,
      treeSize: size,
      leafHash: hex(leaf.hash),
      path: inclusionPath(position, leaves).map(hex),
      rootHash: hex(rootOf(leaves)),
    };
  }

  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    const size = await this.sizeWithin(to, 1);
    if (from < 1 || from > size)
      throw new ProblemError('tree_size_out_of_range', `from must be between 1 and to (${size}).`);
    const leaves = await this.tree.leafHashes(0, size);
    return {
      from,
      to: size,
      fromRoot: hex(rootOf(leaves.slice(0, from))),
      toRoot: hex(rootOf(leaves)),
      proof: consistencyProof(from, leaves).map(hex),
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
