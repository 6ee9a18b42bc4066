import { beforeAll, describe, expect, it } from 'vitest'
import { commitmentOf, nullifierOf, poseidon } from '../../src/crypto/poseidon.js'
import { circomlibPoseidon, R, randomField, type CircomlibPoseidon } from './helpers.js'

let reference: CircomlibPoseidon

beforeAll(async () => {
  reference = await circomlibPoseidon()
})

const arities = [1, 2, 3, 4, 5, 6]

describe('poseidon', () => {
  it('matches the published circomlib vector poseidon([1, 2])', () => {
    expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n)
  })

  it.each(arities)('matches circomlibjs on random inputs (arity %i)', (arity) => {
    for (let trial = 0; trial < 8; trial++) {
      const inputs = Array.from({ length: arity }, randomField)
      const hash = poseidon(inputs)
      expect(hash).toBe(reference.hash(inputs))
      expect(hash >= 0n && hash < R).toBe(true)
    }
  })

  it.each(arities)('matches circomlibjs on edge inputs 0, 1 and r - 1 (arity %i)', (arity) => {
    const cases: bigint[][] = [
      Array.from({ length: arity }, () => 0n),
      Array.from({ length: arity }, () => R - 1n),
      Array.from({ length: arity }, (_, i) => (i % 2 === 0 ? 0n : R - 1n)),
      Array.from({ length: arity }, (_, i) => (i % 2 === 0 ? R - 1n : 1n)),
    ]
    for (const inputs of cases) expect(poseidon(inputs), inputs.join(',')).toBe(reference.hash(inputs))
  })

  it('depends on the order of its inputs', () => {
    const a = randomField()
    const b = randomField()
    expect(poseidon([a, b])).not.toBe(poseidon([b, a]))
  })

  it.each([0, 7, 16])('refuses arity %i with a RangeError', (arity) => {
    expect(() => poseidon(Array.from({ length: arity }, () => 1n))).toThrow(RangeError)
  })
})

describe('commitmentOf / nullifierOf', () => {
  // c = H(s + 1) and N = H(s + 2) in the field, as circuits/lib/commitments.circom computes them.
  const secrets = () => [0n, 1n, R - 3n, R - 2n, R - 1n, randomField(), randomField(), randomField()]

  it('commitmentOf(s) = H(s + 1) computed by circomlibjs', () => {
    for (const s of secrets()) expect(commitmentOf(s), `s = ${s}`).toBe(reference.hash([(s + 1n) % R]))
  })

  it('nullifierOf(s) = H(s + 2) computed by circomlibjs', () => {
    for (const s of secrets()) expect(nullifierOf(s), `s = ${s}`).toBe(reference.hash([(s + 2n) % R]))
  })

  it('commitment and nullifier of one secret differ', () => {
    const s = randomField()
    expect(commitmentOf(s)).not.toBe(nullifierOf(s))
    // N(s) = c(s + 1): the two derivations are one shift apart, as the design specifies.
    expect(nullifierOf(s)).toBe(commitmentOf((s + 1n) % R))
  })
})
