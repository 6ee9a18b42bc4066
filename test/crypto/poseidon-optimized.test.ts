/**
 * The optimised Poseidon of src/crypto/poseidon.ts (paper's Appendix B, as circomlib's
 * PoseidonEx evaluates it) against circomlibjs, the independent reference, on circomlib's
 * published vectors and on random inputs for every arity; and the committed constants file
 * against a fresh rendering by scripts/generate-poseidon-constants.ts.
 */
import { readFileSync } from 'node:fs'
import { randomInt } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { OUTPUT_PATH, WIDTHS, readCircomlibSources, renderPoseidonConstants } from '../../scripts/generate-poseidon-constants.js'
import { FULL_ROUNDS, POSEIDON_CONSTANTS_HEX } from '../../src/crypto/poseidon-constants.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { circomlibPoseidon, R, randomField, type CircomlibPoseidon } from './helpers.js'

let reference: CircomlibPoseidon

beforeAll(async () => {
  reference = await circomlibPoseidon()
})

const arities = [1, 2, 3, 4, 5, 6]
const TRIALS_PER_ARITY = 200

/**
 * A field element spread over the whole field, with the edges over-represented: 0, 1,
 * p - 1, p - 2, small values, powers of two up to 2^253, and uniform values otherwise.
 */
function fieldSample(): bigint {
  switch (randomInt(8)) {
    case 0:
      return 0n
    case 1:
      return R - 1n
    case 2:
      return [1n, 2n, R - 2n][randomInt(3)]
    case 3:
      return BigInt(randomInt(2 ** 40))
    case 4:
      return 1n << BigInt(randomInt(254))
    default:
      return randomField()
  }
}

const publishedVectors: { inputs: bigint[]; expected: bigint }[] = [
  { inputs: [1n, 2n], expected: 7853200120776062878684798364095072458815029376092732009249414926327459813530n },
  { inputs: [3n, 4n], expected: 14763215145315200506921711489642608356394854266165572616578112107564877678998n },
  { inputs: [1n, 2n, 0n, 0n, 0n], expected: 1018317224307729531995786483840663576608797660851238720571059489595066344487n },
  { inputs: [3n, 4n, 5n, 10n, 23n], expected: 13034429309846638789535561449942021891039729847501137143363028890275222221409n },
]

describe('optimised poseidon: published vectors (circomlib test/poseidoncircuit.js)', () => {
  it.each(publishedVectors.map((vector) => ({ ...vector, label: vector.inputs.join(', ') })))('poseidon of $label', ({ inputs, expected }) => {
    expect(poseidon(inputs)).toBe(expected)
  })
})

describe('optimised poseidon against circomlibjs', () => {
  it.each(arities)(`agrees on ${TRIALS_PER_ARITY} random inputs (arity %i)`, (arity) => {
    for (let trial = 0; trial < TRIALS_PER_ARITY; trial++) {
      const inputs = Array.from({ length: arity }, fieldSample)
      const hash = poseidon(inputs)
      expect(hash, inputs.join(',')).toBe(reference.hash(inputs))
      expect(hash >= 0n && hash < R).toBe(true)
    }
  })

  it.each(arities)('agrees on all-zero and all-(p - 1) inputs (arity %i)', (arity) => {
    for (const value of [0n, R - 1n]) {
      const inputs = Array.from({ length: arity }, () => value)
      expect(poseidon(inputs)).toBe(reference.hash(inputs))
    }
  })

  it('keeps no state between calls: interleaved arities give the same hashes as fresh calls', () => {
    const cases = arities.map((arity) => Array.from({ length: arity }, randomField))
    const first = cases.map((inputs) => poseidon(inputs))
    const again = [...cases].reverse().map((inputs) => poseidon(inputs)).reverse()
    expect(again).toEqual(first)
    cases.forEach((inputs, i) => expect(first[i]).toBe(reference.hash(inputs)))
  })

  it('takes inputs outside [0, p) mod p', () => {
    const x = randomField()
    expect(poseidon([x + R, 5n])).toBe(poseidon([x, 5n]))
    expect(poseidon([-1n, 5n])).toBe(poseidon([R - 1n, 5n]))
    expect(poseidon([R])).toBe(reference.hash([0n]))
  })

  it.each([0, 7])('refuses arity %i with a RangeError', (arity) => {
    expect(() => poseidon(Array.from({ length: arity }, () => 1n))).toThrow(RangeError)
  })
})

describe('generated constants (src/crypto/poseidon-constants.ts)', () => {
  it('equal a fresh rendering from the installed circomlib: regenerate if this fails', () => {
    const fresh = renderPoseidonConstants(readCircomlibSources())
    expect(readFileSync(OUTPUT_PATH, 'utf8') === fresh, 'run: npx tsx scripts/generate-poseidon-constants.ts').toBe(true)
  })

  it('carry widths t = 2..7 with the table sizes PoseidonEx declares', () => {
    expect(POSEIDON_CONSTANTS_HEX.map((entry) => entry.t)).toEqual([...WIDTHS])
    const count = (hex: string) => hex.trim().split('\n').length
    for (const { t, partialRounds, C, S, M, P } of POSEIDON_CONSTANTS_HEX) {
      expect(partialRounds).toBe([56, 57, 56, 60, 60, 63][t - 2])
      expect(count(C)).toBe(t * FULL_ROUNDS + partialRounds)
      expect(count(S)).toBe(partialRounds * (2 * t - 1))
      expect(count(M)).toBe(t * t)
      expect(count(P)).toBe(t * t)
    }
  })
})
