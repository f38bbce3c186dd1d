import { createHash } from 'node:crypto';
import {
  append,
  consistencyProof,
  consistencyProofBy,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  Frontier,
  frontierRoot,
  inclusionPath,
  inclusionPathBy,
  leafHash,
  rootOf,
  SubtreeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The Certificate Transparency test vectors (RFC 6962's reference implementation; the hashing is RFC 9162's).
const hex = (s: string) => Buffer.from(s, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f']
  .map(hex)
  .map(leafHash);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const A = '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7';
const B = '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e';
const C = '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4';
const D = 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b';
const E = 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0';
const F = '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a';

const hexes = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe('Merkle tree (RFC 9162)', () => {
  it('gives the Certificate Transparency roots for trees of 0 to 8 leaves', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(createHash('sha256').digest('hex'));
    for (let n = 1; n <= 8; n++) expect(rootOf(LEAVES.slice(0, n)).toString('hex')).toBe(ROOTS[n - 1]);
  });

  it('gives the Certificate Transparency inclusion paths and consistency proofs', () => {
    expect(hexes(inclusionPath(0, LEAVES))).toEqual([A, B, C]);
    expect(hexes(inclusionPath(5, LEAVES))).toEqual([D, E, ROOTS[3]]);
    expect(consistencyProof(1, LEAVES.slice(0, 1))).toEqual([]);
    expect(hexes(consistencyProof(1, LEAVES))).toEqual([A, B, C]);
    expect(hexes(consistencyProof(6, LEAVES))).toEqual([F, E, ROOTS[3]]);
    expect(hexes(consistencyProof(2, LEAVES.slice(0, 5)))).toEqual([B, D]);
  });

  it('verifies every inclusion path and every consistency proof of every tree up to 40 leaves', () => {
    const leaves = leavesOf(40);
    for (let n = 1; n <= 40; n++) {
      const tree = leaves.slice(0, n);
      const root = rootOf(tree);
      for (let i = 0; i < n; i++) expect(verifyInclusion(tree[i], i, n, inclusionPath(i, tree), root)).toBe(true);
      for (let m = 0; m <= n; m++) {
        const ok = verifyConsistency(m, n, consistencyProof(m, tree), rootOf(tree.slice(0, m)), root);
        if (!ok) throw new Error(`consistency ${m} -> ${n} did not verify`);
      }
    }
  });

  it('refuses a proof for another leaf, another position, an edited or truncated tree, or a rewritten history', () => {
    const tree = leavesOf(13);
    const root = rootOf(tree);
    const path = inclusionPath(6, tree);
    expect(verifyInclusion(tree[7], 6, 13, path, root)).toBe(false);
    expect(verifyInclusion(tree[6], 5, 13, path, root)).toBe(false);
    // The root binds the size (a checkpoint signs both): against the 12-leaf tree's root the 13-leaf path fails.
    expect(verifyInclusion(tree[6], 6, 12, path, rootOf(tree.slice(0, 12)))).toBe(false);
    expect(verifyInclusion(tree[6], 6, 13, path.slice(1), root)).toBe(false);
    expect(verifyInclusion(tree[6], 13, 13, path, root)).toBe(false);
    // An entry edited after the checkpoint at 9: the later tree is no extension of the one it signed.
    const edited = [...tree];
    edited[3] = leafHash(Buffer.from('entry 3, edited'));
    const oldRoot = rootOf(tree.slice(0, 9));
    expect(verifyConsistency(9, 13, consistencyProof(9, edited), oldRoot, rootOf(edited))).toBe(false);
    // The tail removed below the checkpoint's size: no proof from 9 to a tree of 8 exists.
    expect(verifyConsistency(9, 8, [], oldRoot, rootOf(tree.slice(0, 8)))).toBe(false);
    // A whole history rewritten with the same hash function: consistent with itself, not with the checkpoint.
    const rewritten = leavesOf(13).map((l, i) => (i < 9 ? leafHash(Buffer.from(`forged ${i}`)) : l));
    expect(verifyConsistency(9, 13, consistencyProof(9, rewritten), oldRoot, rootOf(rewritten))).toBe(false);
    expect(verifyConsistency(9, 13, consistencyProof(9, tree), oldRoot, root)).toBe(true);
  });

  it('keeps the same root from its frontier as from all the leaves, whatever the size', () => {
    let f: Frontier = EMPTY_FRONTIER;
    expect(frontierRoot(f)).toEqual(EMPTY_ROOT);
    const leaves = leavesOf(70);
    for (let n = 1; n <= leaves.length; n++) {
      f = append(f, leaves[n - 1]);
      expect(f.size).toBe(n);
      // One node per set bit of the size: the frontier stays logarithmic.
      expect(f.nodes).toHaveLength(n.toString(2).replace(/0/g, '').length);
      expect(frontierRoot(f).equals(rootOf(leaves.slice(0, n)))).toBe(true);
    }
  });
});

describe('proofs from subtree roots (the leaves never held at once)', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const reads: number[] = [];
  const root: SubtreeRoot = async (lo, hi) => {
    reads.push(hi - lo);
    return rootOf(leaves.slice(lo, hi));
  };

  it('gives the same inclusion paths as the RFC algorithm, reading each leaf once at most', async () => {
    for (let size = 1; size <= leaves.length; size++)
      for (let index = 0; index < size; index++) {
        reads.length = 0;
        const path = await inclusionPathBy(index, size, root);
        expect(path).toEqual(inclusionPath(index, leaves.slice(0, size)));
        expect(reads.reduce((a, b) => a + b, 0)).toBe(size - 1);
      }
  });

  it('gives the same consistency proofs as the RFC algorithm', async () => {
    for (let n = 1; n <= leaves.length; n++)
      for (let m = 0; m <= n; m++)
        expect(await consistencyProofBy(m, n, root)).toEqual(consistencyProof(m, leaves.slice(0, n)));
  });
});
