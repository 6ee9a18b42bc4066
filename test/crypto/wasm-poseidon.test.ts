/**
 * The WebAssembly Poseidon of src/crypto/wasm-poseidon.ts against poseidon-lite (the plain
 * round structure, an independent implementation) for every width, and its one-call Merkle
 * climb against hashing the path one Poseidon(2) at a time, alone and inside
 * IncrementalMerkleTree.
 */
import { describe, expect, it } from 'vitest'
import { poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6 } from 'poseidon-lite'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { hashCanonical, hashPath, MAX_PATH_DEPTH } from '../../src/crypto/wasm-poseidon.js'
import { R, randomField, randomInt } from './helpers.js'

const lite = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6]
const arities = [1, 2, 3, 4, 5, 6]
const TRIALS_PER_ARITY = 150

/** Field elements with the edges over-represented. */
function sample(): bigint {
  switch (randomInt(6)) {
    case 0:
      return 0n
    case 1:
      return R - 1n
    case 2:
      return BigInt(randomInt(2 ** 40))
    default:
      return randomField()
  }
}

/** The climb one hash at a time with poseidon-lite: bit l of index set means the node is the right child. */
function climbByHand(leaf: bigint, siblings: readonly bigint[], index: number): bigint[] {
  const nodes = [leaf]
  let node = leaf
  siblings.forEach((sibling, level) => {
    node = Math.floor(index / 2 ** level) % 2 === 1 ? poseidon2([sibling, node]) : poseidon2([node, sibling])
    nodes.push(node)
  })
  return nodes
}

describe('wasm Poseidon against poseidon-lite', () => {
  it.each(arities)(`agrees on ${TRIALS_PER_ARITY} random inputs (arity %i)`, (arity) => {
    for (let trial = 0; trial < TRIALS_PER_ARITY; trial++) {
      const inputs = Array.from({ length: arity }, sample)
      const expected = lite[arity - 1](inputs)
      expect(hashCanonical(inputs), inputs.join(',')).toBe(expected)
      expect(poseidon(inputs)).toBe(expected)
    }
  })

  it.each(arities)('agrees on all-0, all-(p - 1) and alternating edge inputs (arity %i)', (arity) => {
    const cases = [0n, 1n, R - 1n].map((value) => Array.from({ length: arity }, () => value))
    cases.push(Array.from({ length: arity }, (_, i) => (i % 2 === 0 ? R - 1n : 0n)))
    for (const inputs of cases) expect(hashCanonical(inputs), inputs.join(',')).toBe(lite[arity - 1](inputs))
  })

  it.each(arities)('poseidon() takes inputs >= p and negative inputs mod p (arity %i)', (arity) => {
    const canonical = Array.from({ length: arity }, randomField)
    const expected = lite[arity - 1](canonical)
    const shifted = canonical.map((x, i) => [x + R, x - R, x + 5n * R, x - 3n * R, x + (R << 200n)][i % 5])
    expect(poseidon(shifted)).toBe(expected)
    expect(poseidon(canonical.map((x) => x - R))).toBe(expected)
    expect(poseidon(Array.from({ length: arity }, () => R))).toBe(lite[arity - 1](Array.from({ length: arity }, () => 0n)))
    expect(poseidon(Array.from({ length: arity }, () => -1n))).toBe(lite[arity - 1](Array.from({ length: arity }, () => R - 1n)))
  })

  it('interleaved widths leave no state behind', () => {
    const cases = arities.map((arity) => Array.from({ length: arity }, randomField))
    const forward = cases.map(hashCanonical)
    const backward = [...cases].reverse().map(hashCanonical).reverse()
    expect(backward).toEqual(forward)
    cases.forEach((inputs, i) => expect(forward[i]).toBe(lite[inputs.length - 1](inputs)))
  })

  it('hashCanonical refuses 0 or 7 inputs, and inputs outside [0, p)', () => {
    expect(() => hashCanonical([])).toThrow(RangeError)
    expect(() => hashCanonical(Array.from({ length: 7 }, () => 1n))).toThrow(RangeError)
    expect(() => hashCanonical([R])).toThrow(RangeError)
    expect(() => hashCanonical([1n, -1n])).toThrow(RangeError)
  })
})

describe('hashPath: a Merkle climb in one call', () => {
  it('equals the climb one hash at a time, on random depths, indices and nodes', () => {
    for (let trial = 0; trial < 40; trial++) {
      const depth = randomInt(1, 21)
      const index = randomInt(2 ** depth)
      const leaf = sample()
      const siblings = Array.from({ length: depth }, sample)
      expect(hashPath(leaf, siblings, index), `depth ${depth}, index ${index}`).toEqual(climbByHand(leaf, siblings, index))
    }
  })

  it('takes every bit of the index at the deepest path, bit 31 included', () => {
    const siblings = Array.from({ length: MAX_PATH_DEPTH }, randomField)
    const leaf = randomField()
    for (const index of [0, 2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1, 0xa5a5a5a5]) {
      expect(hashPath(leaf, siblings, index), `index ${index}`).toEqual(climbByHand(leaf, siblings, index))
    }
  })

  it('an empty path gives the leaf alone', () => {
    expect(hashPath(7n, [], 0)).toEqual([7n])
  })

  it('refuses an index outside the path, a path deeper than 32 and non-canonical nodes', () => {
    expect(() => hashPath(1n, [2n, 3n], 4)).toThrow(RangeError)
    expect(() => hashPath(1n, [2n, 3n], -1)).toThrow(RangeError)
    expect(() => hashPath(1n, [2n, 3n], 1.5)).toThrow(RangeError)
    expect(() => hashPath(1n, Array.from({ length: MAX_PATH_DEPTH + 1 }, () => 0n), 0)).toThrow(RangeError)
    expect(() => hashPath(R, [2n], 0)).toThrow(RangeError)
    expect(() => hashPath(1n, [2n, R], 0)).toThrow(RangeError)
  })
})

describe('IncrementalMerkleTree on the one-call climb', () => {
  /** A depth-`depth` tree kept as full levels, every node hashed one Poseidon(2) at a time. */
  function referenceRoots(depth: number, leaves: readonly bigint[]): bigint[] {
    const zeros = [0n]
    for (let level = 0; level < depth; level++) zeros.push(poseidon2([zeros[level], zeros[level]]))
    const levels: bigint[][] = [[]]
    const roots: bigint[] = []
    for (const leaf of leaves) {
      levels[0].push(((leaf % R) + R) % R)
      let index = levels[0].length - 1
      for (let level = 0; level < depth; level++) {
        const parent = index >> 1
        const left = levels[level][2 * parent]
        const right = levels[level][2 * parent + 1] ?? zeros[level]
        levels[level + 1] ??= []
        levels[level + 1][parent] = poseidon2([left, right])
        index = parent
      }
      roots.push(levels[depth][0])
    }
    return roots
  }

  it('insert, rootAfterInsert and prepareInsert give the one-hash-at-a-time roots and nodes, leaves outside [0, p) included', () => {
    const depth = 20
    const leaves = Array.from({ length: 24 }, (_, i) => [randomField(), randomField() + R, -randomField(), 0n][i % 4])
    const expected = referenceRoots(depth, leaves)
    const tree = new IncrementalMerkleTree(depth)
    leaves.forEach((leaf, i) => {
      const pending = tree.prepareInsert(leaf)
      expect(pending.nodes[0]).toBe(leaf)
      expect(pending.nodes[depth]).toBe(pending.root)
      expect(tree.rootAfterInsert(leaf)).toBe(expected[i])
      expect(tree.insert(leaf), `leaf ${i}`).toBe(expected[i])
    })
    expect(IncrementalMerkleTree.fromLeaves(depth, leaves).root).toBe(tree.root)
  })

  it('a tree restored from its frontier appends like the full tree', () => {
    const depth = 6
    const leaves = Array.from({ length: 11 }, randomField)
    const full = IncrementalMerkleTree.fromLeaves(depth, leaves)
    const restored = IncrementalMerkleTree.fromFrontier(depth, leaves, full.frontier())
    for (let i = 0; i < 5; i++) {
      const leaf = randomField()
      expect(restored.insert(leaf)).toBe(full.insert(leaf))
    }
  })
})
