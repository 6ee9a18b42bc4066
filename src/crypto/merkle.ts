/**
 * Incremental binary Merkle tree with Poseidon(2) nodes and zero leaves, the same shape as
 * circuits/lib/merkle.circom: level by level, node = H(left, right), empty subtrees hash up
 * from the zero leaf. Appends cost O(depth); every filled node is kept so any path can be
 * read, which the voter needs after fetching the whole leaf list.
 *
 * Many leaves at once (`fromLeaves`, `appendMany`) are hashed level by level: about 2n
 * hashes for n leaves instead of n·depth (issue 12: a 100k-leaf list took minutes), with
 * exactly the nodes that n single inserts give. A tree can also be restored from its
 * frontier (`fromFrontier`), the one node per level that later appends need: it appends and
 * gives roots like the full tree, but cannot give paths (the operator never needs one).
 */
import { MaciAnonError } from '../errors.js'
import { Fr } from './field.js'
import { poseidon } from './poseidon.js'
import { hashPath } from './wasm-poseidon.js'

export interface MerklePath {
  pathElements: bigint[]
  pathIndices: number[]
}

export class MerkleTreeError extends MaciAnonError {
  constructor(message: string) {
    super('MERKLE_TREE', message)
  }
}

const zeroCache = new Map<number, bigint[]>()

/** zeros[i] is the root of an empty subtree of height i. */
function zeroHashes(depth: number): bigint[] {
  let zeros = zeroCache.get(depth)
  if (zeros === undefined) {
    zeros = [0n]
    for (let i = 0; i < depth; i++) zeros.push(poseidon([zeros[i], zeros[i]]))
    zeroCache.set(depth, zeros)
  }
  return zeros
}

/**
 * What later appends need of a tree of `size` leaves: for each level l from the leaves to
 * the root, the node at index (size >> l) - 1 when that index is even, else undefined: the
 * complete subtrees that size's binary digits name (the root itself, for a full tree).
 * Together with the size it fixes the root.
 */
export type MerkleFrontier = Array<bigint | undefined>

/** The index of the frontier's node at `level` in a tree of `size` leaves, or undefined if the level has none. */
function frontierPosition(size: number, level: number): number | undefined {
  const position = Math.floor(size / 2 ** level) - 1
  return position >= 0 && position % 2 === 0 ? position : undefined
}

/** An append hashed but not applied (IncrementalMerkleTree.prepareInsert). */
export interface PendingInsert {
  /** Leaves in the tree the insert was prepared on. */
  readonly size: number
  readonly root: bigint
  /** The new node at each level, the leaf first and the root last. */
  readonly nodes: readonly bigint[]
  /** The frontier of the tree after the insert. */
  readonly frontier: MerkleFrontier
}

export class IncrementalMerkleTree {
  readonly depth: number
  private readonly levels: bigint[][]
  private readonly zeros: bigint[]
  /** Restored from a frontier: only the nodes appends need are held, so no path can be read. */
  private partial = false

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new MerkleTreeError('depth must be 1 to 32')
    this.depth = depth
    this.zeros = zeroHashes(depth)
    this.levels = Array.from({ length: depth + 1 }, () => [])
  }

  /** The tree of `leaves`, built level by level (the same nodes as inserting them one by one). */
  static fromLeaves(depth: number, leaves: readonly bigint[]): IncrementalMerkleTree {
    const tree = new IncrementalMerkleTree(depth)
    tree.appendMany(leaves)
    return tree
  }

  /**
   * A tree holding `leaves` whose interior is known only through `frontier` (see
   * MerkleFrontier), as `frontier()` gave it for a tree of exactly these leaves. Nothing is
   * hashed but the root (depth hashes). Appends and roots then equal the full tree's; the
   * frontier itself is not checked against the leaves, which is the caller's business
   * (compare the root with one known to belong to the leaves).
   */
  static fromFrontier(depth: number, leaves: readonly bigint[], frontier: MerkleFrontier): IncrementalMerkleTree {
    const tree = new IncrementalMerkleTree(depth)
    const size = leaves.length
    if (size > 2 ** depth) throw new MerkleTreeError('tree is full')
    if (frontier.length !== depth + 1) throw new MerkleTreeError(`a frontier has ${depth + 1} levels, got ${frontier.length}`)
    tree.partial = true
    for (const leaf of leaves) tree.levels[0].push(leaf)
    for (let level = 0; level <= depth; level++) {
      const position = frontierPosition(size, level)
      const node = frontier[level]
      // Level 0 is the leaf list itself, which the frontier must repeat, not replace.
      const fits = position === undefined ? node === undefined : node !== undefined && (level > 0 || node === leaves[position])
      if (!fits) throw new MerkleTreeError(`the frontier does not fit a tree of ${size} leaves at level ${level}`)
      if (level > 0 && position !== undefined && node !== undefined) tree.levels[level][position] = node
    }
    if (size > 0) tree.levels[depth][0] = tree.rootFromFrontier()
    return tree
  }

  get size(): number {
    return this.levels[0].length
  }

  get root(): bigint {
    return this.levels[this.depth][0] ?? this.zeros[this.depth]
  }

  get leaves(): readonly bigint[] {
    return this.levels[0]
  }

  /** The frontier of this tree (see MerkleFrontier), from which `fromFrontier` restores it. */
  frontier(): MerkleFrontier {
    const size = this.size
    return Array.from({ length: this.depth + 1 }, (_, level) => {
      const position = frontierPosition(size, level)
      return position === undefined ? undefined : this.levels[level][position]
    })
  }

  /**
   * Appends many leaves, hashing level by level: each changed node once, about 2n hashes
   * for n leaves. Returns the new root.
   */
  appendMany(leaves: readonly bigint[]): bigint {
    if (leaves.length === 0) return this.root
    if (this.size + leaves.length > 2 ** this.depth) throw new MerkleTreeError('tree is full')
    let from = this.size
    for (const leaf of leaves) this.levels[0].push(leaf)
    let to = this.size
    for (let level = 0; level < this.depth; level++) {
      const nodes = this.levels[level]
      const next = this.levels[level + 1]
      const parentsFrom = from >> 1
      const parentsTo = ((to - 1) >> 1) + 1
      for (let parent = parentsFrom; parent < parentsTo; parent++) {
        const right = 2 * parent + 1 < to ? nodes[2 * parent + 1] : this.zeros[level]
        next[parent] = poseidon([nodes[2 * parent], right])
      }
      from = parentsFrom
      to = parentsTo
    }
    return this.root
  }

  /** Appends a leaf and returns the new root. */
  insert(leaf: bigint): bigint {
    const pending = this.prepareInsert(leaf)
    this.commitInsert(pending)
    return pending.root
  }

  /** The root the tree would have after appending `leaf`, leaving the tree unchanged. */
  rootAfterInsert(leaf: bigint): bigint {
    return this.prepareInsert(leaf).root
  }

  /**
   * Hashes the path of appending `leaf` (depth hashes) without changing the tree, so a
   * caller can make the append durable first and then apply exactly these nodes with
   * `commitInsert`: one climb per append instead of one to learn the root and another to
   * insert.
   */
  prepareInsert(leaf: bigint): PendingInsert {
    const size = this.size
    if (size >= 2 ** this.depth) throw new MerkleTreeError('tree is full')
    const siblings = Array.from({ length: this.depth }, (_, level) => {
      const index = Math.floor(size / 2 ** level)
      return index % 2 === 1 ? this.levels[level][index - 1] : this.zeros[level]
    })
    // One wasm call for the whole climb. Leaves are kept as given and poseidon() takes its
    // inputs mod p, so the leaf and its sibling are reduced here; higher nodes are hashes.
    siblings[0] = Fr.create(siblings[0])
    const nodes = hashPath(Fr.create(leaf), siblings, size)
    nodes[0] = leaf
    const node = nodes[this.depth]
    const frontier = Array.from({ length: this.depth + 1 }, (_, level) => {
      const position = frontierPosition(size + 1, level)
      if (position === undefined) return undefined
      return position === size >> level ? nodes[level] : this.levels[level][position]
    })
    return { size, root: node, nodes, frontier }
  }

  /** Applies a `prepareInsert` made on this tree as it is now. */
  commitInsert(pending: PendingInsert): void {
    if (pending.size !== this.size) throw new MerkleTreeError(`a pending insert for ${pending.size} leaves, but the tree has ${this.size}`)
    pending.nodes.forEach((node, level) => {
      this.levels[level][pending.size >> level] = node
    })
  }

  path(index: number): MerklePath {
    if (this.partial) throw new MerkleTreeError('a tree restored from its frontier holds no paths')
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new MerkleTreeError(`leaf index ${index} is outside the tree of ${this.size} leaves`)
    }
    const pathElements: bigint[] = []
    const pathIndices: number[] = []
    let position = index
    for (let level = 0; level < this.depth; level++) {
      const siblingIndex = position ^ 1
      pathElements.push(this.levels[level][siblingIndex] ?? this.zeros[level])
      pathIndices.push(position & 1)
      position >>= 1
    }
    return { pathElements, pathIndices }
  }

  /** The root of this tree of `size` leaves from its frontier alone: depth hashes. */
  private rootFromFrontier(): bigint {
    const size = this.size
    let node: bigint | undefined
    for (let level = 0; level < this.depth; level++) {
      const position = frontierPosition(size, level)
      if (position !== undefined) node = poseidon([this.levels[level][position], node ?? this.zeros[level]])
      else if (node !== undefined) node = poseidon([node, this.zeros[level]])
    }
    return this.levels[this.depth][0] ?? node ?? this.zeros[this.depth]
  }
}
