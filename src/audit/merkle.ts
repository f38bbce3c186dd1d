import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0, section 2.1), for the audit log's self-proving
 * history (issue 16): leaves and inner nodes hashed with distinct prefixes (0x00, 0x01) so that no leaf can pose as a
 * node, and the two proofs a verifier outside the database needs: inclusion (an entry is in the tree a signed
 * checkpoint names) and consistency (a later tree extends an earlier one: nothing was edited, removed or truncated).
 * No maintained npm package builds these trees with both proofs; this follows the RFC's algorithms line by line and
 * is checked against the Certificate Transparency test vectors.
 */

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** MTH({}) : the hash of the empty tree. */
export const EMPTY_ROOT = sha256();

export const leafHash = (data: Buffer): Buffer => sha256(LEAF, data);
export const nodeHash = (left: Buffer, right: Buffer): Buffer => sha256(NODE, left, right);

/** The largest power of two smaller than n (n > 1): where the RFC splits a tree of n leaves. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes (already leafHash-ed). */
export function rootOf(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path of leaf `index` in the tree of `leaves`, from the leaf upwards. */
export function inclusionPath(index: number, leaves: readonly Buffer[]): Buffer[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionPath(index, leaves.slice(0, k)), rootOf(leaves.slice(k))]
    : [...inclusionPath(index - k, leaves.slice(k)), rootOf(leaves.slice(0, k))];
}

/** PROOF(m, D[n]): that the tree of the first `m` leaves is a prefix of the tree of all `leaves`. */
export function consistencyProof(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (m < 0 || m > leaves.length) throw new RangeError(`size ${m} is not within a tree of ${leaves.length}`);
  if (m === 0 || m === leaves.length) return [];
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Buffer[], whole: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return whole ? [] : [rootOf(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), whole), rootOf(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), rootOf(leaves.slice(0, k))];
}

/** RFC 9162 2.1.3.2: does `path` prove leaf `index` (hash `leaf`) is in the tree of `size` leaves with `root`? */
export function verifyInclusion(leaf: Buffer, index: number, size: number, path: readonly Buffer[], root: Buffer) {
  return rootFromPath(leaf, index, size, path)?.equals(root) ?? false;
}

/** The root that `path` leads to from leaf `index` of a tree of `size` (RFC 9162 2.1.3.2), or null if it cannot. */
export function rootFromPath(leaf: Buffer, index: number, size: number, path: readonly Buffer[]): Buffer | null {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** RFC 9162 2.1.4.2: does `proof` show the tree of `m` leaves (`oldRoot`) is a prefix of that of `n` (`newRoot`)? */
export function verifyConsistency(m: number, n: number, proof: readonly Buffer[], oldRoot: Buffer, newRoot: Buffer) {
  if (m < 0 || m > n) return false;
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (m & (m - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

/**
 * The right edge of a tree, enough to append and to compute the root without the earlier leaves: the roots of its
 * perfect subtrees, largest (leftmost) first, one per set bit of `size`. The sequencer keeps this between batches.
 */
export interface Frontier {
  size: number;
  nodes: Buffer[];
}

export const EMPTY_FRONTIER: Frontier = { size: 0, nodes: [] };

/** The frontier after appending `leaf` (a leaf hash): equal-sized subtrees on the right merge, as carries in binary. */
export function append(frontier: Frontier, leaf: Buffer): Frontier {
  const nodes = [...frontier.nodes, leaf];
  // Each trailing 1 bit of the old size is a perfect subtree that the new leaf's subtree now pairs with.
  for (let size = frontier.size; size % 2 === 1; size = Math.floor(size / 2)) {
    const right = nodes.pop()!;
    const left = nodes.pop()!;
    nodes.push(nodeHash(left, right));
  }
  return { size: frontier.size + 1, nodes };
}

/** MTH of the tree the frontier ends: its subtrees folded from the right, as the RFC's split does. */
export function frontierRoot(frontier: Frontier): Buffer {
  if (!frontier.nodes.length) return EMPTY_ROOT;
  let root = frontier.nodes[frontier.nodes.length - 1];
  for (let i = frontier.nodes.length - 2; i >= 0; i--) root = nodeHash(frontier.nodes[i], root);
  return root;
}

/** The root of leaves [lo, hi) of a tree, from wherever they are kept (the database, in batches). */
export type SubtreeRoot = (lo: number, hi: number) => Promise<Buffer>;

/**
 * `inclusionPath` without holding the leaves: the same RFC 9162 PATH(m, D[n]), asking `root` for each sibling subtree
 * (they partition the tree, so every leaf is read once, and memory stays flat).
 */
export async function inclusionPathBy(index: number, size: number, root: SubtreeRoot): Promise<Buffer[]> {
  if (index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const siblings: [number, number][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index - lo < k) {
      siblings.push([lo + k, hi]);
      hi = lo + k;
    } else {
      siblings.push([lo, lo + k]);
      lo += k;
    }
  }
  const path: Buffer[] = [];
  // The path runs from the leaf upwards: the innermost split's sibling first.
  for (const [a, b] of siblings.reverse()) path.push(await root(a, b));
  return path;
}

/** `consistencyProof` without holding the leaves: RFC 9162 PROOF(m, D[n]) with subtree roots from `root`. */
export async function consistencyProofBy(m: number, n: number, root: SubtreeRoot): Promise<Buffer[]> {
  if (m < 0 || m > n) throw new RangeError(`size ${m} is not within a tree of ${n}`);
  if (m === 0 || m === n) return [];
  const sub = async (k: number, lo: number, hi: number, whole: boolean): Promise<Buffer[]> => {
    if (k === hi - lo) return whole ? [] : [await root(lo, hi)];
    const half = split(hi - lo);
    return k <= half
      ? [...(await sub(k, lo, lo + half, whole)), await root(lo + half, hi)]
      : [...(await sub(k - half, lo + half, hi, false)), await root(lo, lo + half)];
  };
  return sub(m, 0, n, true);
}
