/**
 * Incremental binary Merkle tree with Poseidon(2) nodes and zero leaves, the same shape as
 * circuits/lib/merkle.circom: level by level, node = H(left, right), empty subtrees hash up
 * from the zero leaf. Appends cost O(depth); every filled node is kept so any path can be
 * read, which the voter needs after fetching the whole leaf list.
 */
import { poseidon } from './poseidon.js'

export interface MerklePath {
  pathElements: bigint[]
  pathIndices: number[]
}

export class MerkleTreeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MerkleTreeError'
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

export class IncrementalMerkleTree {
  readonly depth: number
  private readonly levels: bigint[][]
  private readonly zeros: bigint[]

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new MerkleTreeError('depth must be 1 to 32')
    this.depth = depth
    this.zeros = zeroHashes(depth)
    this.levels = Array.from({ length: depth + 1 }, () => [])
  }

  static fromLeaves(depth: number, leaves: readonly bigint[]): IncrementalMerkleTree {
    const tree = new IncrementalMerkleTree(depth)
    for (const leaf of leaves) tree.insert(leaf)
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

  /** Appends a leaf and returns the new root. */
  insert(leaf: bigint): bigint {
    return this.climb(leaf, true)
  }

  /** The root the tree would have after appending `leaf`, leaving the tree unchanged. */
  rootAfterInsert(leaf: bigint): bigint {
    return this.climb(leaf, false)
  }

  private climb(leaf: bigint, store: boolean): bigint {
    if (this.size >= 2 ** this.depth) throw new MerkleTreeError('tree is full')
    let index = this.size
    let node = leaf
    if (store) this.levels[0].push(node)
    for (let level = 0; level < this.depth; level++) {
      const isRight = index & 1
      const sibling = isRight ? this.levels[level][index - 1] : this.zeros[level]
      node = isRight ? poseidon([sibling, node]) : poseidon([node, sibling])
      index >>= 1
      if (store) this.levels[level + 1][index] = node
    }
    return node
  }

  path(index: number): MerklePath {
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
}
