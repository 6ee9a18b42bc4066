/**
 * Issue 12, item 4 (start-up with large state): the tree is built level by level, about 2n
 * hashes for n leaves instead of n·depth, and can be restored from its frontier. Both must
 * give exactly what inserting the leaves one by one gives: every root, every path.
 */
import { describe, expect, it, vi } from 'vitest'
import { IncrementalMerkleTree, MerkleTreeError } from '../../src/crypto/merkle.js'
import * as poseidonModule from '../../src/crypto/poseidon.js'
import * as wasmPoseidonModule from '../../src/crypto/wasm-poseidon.js'

const DEPTH = 5
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i * 7919 + 11))

function oneByOne(leaves: bigint[]): IncrementalMerkleTree {
  const tree = new IncrementalMerkleTree(DEPTH)
  for (const leaf of leaves) tree.insert(leaf)
  return tree
}

describe('bulk Merkle tree', () => {
  it('builds the same tree as single inserts, for every size up to full', () => {
    for (let n = 0; n <= 2 ** DEPTH; n++) {
      const leaves = leavesOf(n)
      const slow = oneByOne(leaves)
      const fast = IncrementalMerkleTree.fromLeaves(DEPTH, leaves)
      expect(fast.root).toBe(slow.root)
      for (let i = 0; i < n; i++) expect(fast.path(i)).toEqual(slow.path(i))
    }
  })

  it('appends in batches to the same roots', () => {
    const leaves = leavesOf(29)
    const tree = new IncrementalMerkleTree(DEPTH)
    for (const [from, to] of [[0, 1], [1, 4], [4, 4], [4, 17], [17, 29]]) {
      expect(tree.appendMany(leaves.slice(from, to))).toBe(oneByOne(leaves.slice(0, to)).root)
    }
    expect(() => tree.appendMany(leavesOf(4))).toThrow(MerkleTreeError)
  })

  it('restores from its frontier: the same root, appends and next roots, but no paths', () => {
    for (let n = 0; n <= 2 ** DEPTH; n++) {
      const leaves = leavesOf(n)
      const full = IncrementalMerkleTree.fromLeaves(DEPTH, leaves)
      const restored = IncrementalMerkleTree.fromFrontier(DEPTH, leaves, full.frontier())
      expect(restored.root).toBe(full.root)
      if (n === 2 ** DEPTH) continue
      expect(restored.rootAfterInsert(5n)).toBe(full.rootAfterInsert(5n))
      const more = leavesOf(2 ** DEPTH - n).map((leaf) => leaf + 1n)
      restored.insert(more[0])
      restored.appendMany(more.slice(1))
      expect(restored.root).toBe(oneByOne([...leaves, ...more]).root)
      if (n > 0) expect(() => restored.path(0)).toThrow(MerkleTreeError)
    }
  })

  it('a prepared insert changes nothing until committed, then gives the root and frontier of a plain insert', () => {
    for (let n = 0; n < 2 ** DEPTH; n++) {
      const tree = IncrementalMerkleTree.fromLeaves(DEPTH, leavesOf(n))
      const before = tree.root
      const pending = tree.prepareInsert(42n)
      expect(tree.size).toBe(n)
      expect(tree.root).toBe(before)
      const plain = oneByOne([...leavesOf(n), 42n])
      expect(pending.root).toBe(plain.root)
      expect(pending.frontier).toEqual(plain.frontier())
      tree.commitInsert(pending)
      expect(tree.root).toBe(plain.root)
      for (let i = 0; i <= n; i++) expect(tree.path(i)).toEqual(plain.path(i))
      // A tree restored from a prepared frontier continues like the full one.
      const restored = IncrementalMerkleTree.fromFrontier(DEPTH, [...leavesOf(n), 42n], pending.frontier)
      expect(restored.root).toBe(plain.root)
      if (n + 1 < 2 ** DEPTH) expect(restored.prepareInsert(7n).root).toBe(plain.rootAfterInsert(7n))
    }
  })

  it('refuses to commit an insert prepared on another size, and hashes one path per insert', () => {
    const tree = IncrementalMerkleTree.fromLeaves(DEPTH, leavesOf(3))
    const stale = tree.prepareInsert(1n)
    tree.insert(2n)
    expect(() => tree.commitInsert(stale)).toThrow(MerkleTreeError)
    // The climb is one wasm call of DEPTH hashes (wasm-poseidon.ts's hashPath), and nothing hashes beside it.
    const path = vi.spyOn(wasmPoseidonModule, 'hashPath')
    const single = vi.spyOn(poseidonModule, 'poseidon')
    try {
      tree.insert(3n)
      expect(path.mock.calls.length).toBe(1)
      expect(path.mock.calls[0][1]).toHaveLength(DEPTH)
      expect(path.mock.results[0].value).toHaveLength(DEPTH + 1)
      expect(single.mock.calls.length).toBe(0)
    } finally {
      path.mockRestore()
      single.mockRestore()
    }
  })

  it('refuses a frontier that does not fit the size', () => {
    const leaves = leavesOf(6)
    const frontier = IncrementalMerkleTree.fromLeaves(DEPTH, leaves).frontier()
    expect(() => IncrementalMerkleTree.fromFrontier(DEPTH, leavesOf(7), frontier)).toThrow(MerkleTreeError)
    expect(() => IncrementalMerkleTree.fromFrontier(DEPTH, leaves, frontier.slice(1))).toThrow(MerkleTreeError)
  })

  it('hashes about 2n times for n leaves, not n·depth', () => {
    const spy = vi.spyOn(poseidonModule, 'poseidon')
    try {
      IncrementalMerkleTree.fromLeaves(20, leavesOf(1000))
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(1000)
      expect(spy.mock.calls.length).toBeLessThan(2 * 1000 + 2 * 20)
    } finally {
      spy.mockRestore()
    }
  })
})
