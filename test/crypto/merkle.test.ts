import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as snarkjs from 'snarkjs'
import { describe, expect, it, vi } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree, MerkleTreeError, type MerklePath } from '../../src/crypto/merkle.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { prepareReactivation } from '../../src/core/voter.js'
import { R, randomField, randomInt } from './helpers.js'

const MEMBERSHIP_WASM = fileURLToPath(new URL('../../circuits/build/membership/membership.wasm', import.meta.url))

/** The root of a depth-`depth` tree over `leaves` padded with zeros, built level by level in full. */
function naiveRoot(depth: number, leaves: readonly bigint[]): bigint {
  let level = Array.from({ length: 2 ** depth }, (_, i) => leaves[i] ?? 0n)
  while (level.length > 1) {
    const next: bigint[] = []
    for (let i = 0; i < level.length; i += 2) next.push(poseidon([level[i], level[i + 1]]))
    level = next
  }
  return level[0]
}

/** Hashes a leaf up its path by hand: index bit 1 means the running node is the right child. */
function rootFromPath(leaf: bigint, path: MerklePath): bigint {
  let node = leaf
  path.pathElements.forEach((sibling, level) => {
    node = path.pathIndices[level] === 1 ? poseidon([sibling, node]) : poseidon([node, sibling])
  })
  return node
}

function zeroChain(depth: number): bigint[] {
  const zeros = [0n]
  for (let i = 0; i < depth; i++) zeros.push(poseidon([zeros[i], zeros[i]]))
  return zeros
}

async function membershipWitness(input: Record<string, unknown>): Promise<bigint[]> {
  const wtns: { type: 'mem'; data?: Uint8Array } = { type: 'mem' }
  await snarkjs.wtns.calculate(input, MEMBERSHIP_WASM, wtns)
  return (await snarkjs.wtns.exportJson(wtns)) as bigint[]
}

/** Expects the witness computation to hit a failed `===` (circom_runtime logs it; keep the output quiet). */
async function expectAssertFailure(input: Record<string, unknown>, label: string): Promise<void> {
  const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    await expect(membershipWitness(input), label).rejects.toThrow(/Assert Failed/)
  } finally {
    quiet.mockRestore()
  }
}

describe('IncrementalMerkleTree', () => {
  it('empty tree: root is the zero-hash chain', () => {
    for (const depth of [1, 2, 5, 20]) {
      const zeros = zeroChain(depth)
      const tree = new IncrementalMerkleTree(depth)
      expect(tree.size).toBe(0)
      expect(tree.root, `depth ${depth}`).toBe(zeros[depth])
    }
  })

  it('root equals a naive full-tree computation at every size (depth 4)', () => {
    const leaves = Array.from({ length: 16 }, randomField)
    const tree = new IncrementalMerkleTree(4)
    for (let i = 0; i < leaves.length; i++) {
      const returned = tree.insert(leaves[i])
      const expected = naiveRoot(4, leaves.slice(0, i + 1))
      expect(returned, `after ${i + 1} leaves`).toBe(expected)
      expect(tree.root).toBe(expected)
      expect(tree.size).toBe(i + 1)
    }
    expect(tree.leaves).toEqual(leaves)
  })

  it('every path recomputes the root by hand, and pathIndices are the bits of the index', () => {
    const depth = 5
    const leaves = Array.from({ length: 13 }, randomField)
    const tree = IncrementalMerkleTree.fromLeaves(depth, leaves)
    for (let index = 0; index < leaves.length; index++) {
      const path = tree.path(index)
      expect(path.pathElements).toHaveLength(depth)
      expect(path.pathIndices).toEqual(Array.from({ length: depth }, (_, level) => (index >> level) & 1))
      expect(rootFromPath(leaves[index], path), `leaf ${index}`).toBe(tree.root)
      // A different leaf at the same place gives a different root.
      expect(rootFromPath((leaves[index] + 1n) % R, path)).not.toBe(tree.root)
    }
  })

  it('paths stay valid for earlier leaves after later inserts', () => {
    const tree = new IncrementalMerkleTree(3)
    const leaves: bigint[] = []
    for (let i = 0; i < 8; i++) {
      leaves.push(randomField())
      tree.insert(leaves[i])
      for (let j = 0; j <= i; j++) expect(rootFromPath(leaves[j], tree.path(j)), `leaf ${j} after ${i + 1}`).toBe(tree.root)
    }
  })

  it('fromLeaves equals inserting one by one', () => {
    const leaves = Array.from({ length: 9 }, randomField)
    const incremental = new IncrementalMerkleTree(6)
    for (const leaf of leaves) incremental.insert(leaf)
    expect(IncrementalMerkleTree.fromLeaves(6, leaves).root).toBe(incremental.root)
  })

  it('rootAfterInsert equals the result of insert and leaves the tree unchanged', () => {
    const tree = IncrementalMerkleTree.fromLeaves(6, Array.from({ length: 5 }, randomField))
    for (let step = 0; step < 4; step++) {
      const leaf = randomField()
      const rootBefore = tree.root
      const sizeBefore = tree.size
      const leavesBefore = [...tree.leaves]
      const pathsBefore = leavesBefore.map((_, i) => tree.path(i))

      const predicted = tree.rootAfterInsert(leaf)
      expect(tree.root).toBe(rootBefore)
      expect(tree.size).toBe(sizeBefore)
      expect([...tree.leaves]).toEqual(leavesBefore)
      expect(leavesBefore.map((_, i) => tree.path(i))).toEqual(pathsBefore)
      expect(predicted).not.toBe(rootBefore)

      expect(tree.insert(leaf)).toBe(predicted)
      expect(tree.root).toBe(predicted)
    }
  })

  it('a full depth-2 tree refuses a 5th leaf', () => {
    const leaves = Array.from({ length: 4 }, randomField)
    const tree = IncrementalMerkleTree.fromLeaves(2, leaves)
    const root = tree.root
    expect(root).toBe(naiveRoot(2, leaves))
    expect(() => tree.insert(randomField())).toThrow(MerkleTreeError)
    expect(() => tree.rootAfterInsert(randomField())).toThrow(MerkleTreeError)
    expect(tree.size).toBe(4)
    expect(tree.root).toBe(root)
    expect(() => IncrementalMerkleTree.fromLeaves(2, [...leaves, 1n])).toThrow(MerkleTreeError)
  })

  it('path() out of range throws MerkleTreeError', () => {
    const tree = IncrementalMerkleTree.fromLeaves(4, Array.from({ length: 3 }, randomField))
    for (const index of [-1, 3, 4, 16, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => tree.path(index), `index ${index}`).toThrow(MerkleTreeError)
    }
    expect(() => new IncrementalMerkleTree(4).path(0)).toThrow(MerkleTreeError)
  })

  it('refuses depths outside 1..32', () => {
    for (const depth of [0, -1, 33, 2.5, Number.NaN]) {
      expect(() => new IncrementalMerkleTree(depth), `depth ${depth}`).toThrow(MerkleTreeError)
    }
  })
})

describe('IncrementalMerkleTree against the membership circuit (depth 20)', () => {
  it('the committed membership.wasm is present', () => {
    expect(existsSync(MEMBERSHIP_WASM)).toBe(true)
  })

  it('the circuit accepts the TS root for every leaf of a small random tree, and refuses root + 1', async () => {
    const leaves = Array.from({ length: 2 + randomInt(6) }, randomField)
    const indices = [0, leaves.length - 1, randomInt(leaves.length)]
    for (const leafIndex of indices) {
      const reactivation = prepareReactivation({
        secret: randomField(),
        leafIndex,
        leaves,
        depth: 20,
        newPublicKey: generateKeypair().publicKey,
      })
      expect(reactivation.root).toBe(IncrementalMerkleTree.fromLeaves(20, leaves).root)

      const witness = await membershipWitness(reactivation.membershipInput)
      // Public signals follow the constant 1: root, nullifier, newKeyHash, link.
      expect(witness[0]).toBe(1n)
      expect(witness[1]).toBe(reactivation.root)

      const offByOne = { ...reactivation.membershipInput, root: (reactivation.root + 1n) % R }
      await expectAssertFailure(offByOne, `leaf ${leafIndex}, root + 1`)
    }
  })

  it('the circuit refuses a path taken from another leaf', async () => {
    const leaves = Array.from({ length: 4 }, randomField)
    const reactivation = prepareReactivation({ secret: randomField(), leafIndex: 1, leaves, depth: 20, newPublicKey: generateKeypair().publicKey })
    const otherPath = IncrementalMerkleTree.fromLeaves(20, leaves).path(2)
    const input = { ...reactivation.membershipInput, pathElements: otherPath.pathElements, pathIndices: otherPath.pathIndices }
    await expectAssertFailure(input, 'path of leaf 2 for leaf 1')
  })
})
