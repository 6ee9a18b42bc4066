/**
 * Known-answer and reference tests of the local building blocks: fixed-key AES, the
 * tweakable hash, the PRG, the bit-matrix transpose, limb arithmetic and field pads.
 * Expected values come from the definitions, computed independently here with one
 * node:crypto AES-128-ECB call per block (no batching, no word views), and are pinned as hex.
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import {
  FIELD_LIMBS,
  bigintFromLimbs,
  doubleModInPlace,
  limbsFromBigint,
  reduceIfBelowFiveModuli,
  writeCorrection,
} from '../../src/mpc/field-limbs.js'
import { hashToFieldLimbs } from '../../src/mpc/field-pads.js'
import { AesCtrPrg } from '../../src/mpc/prg.js'
import { transpose128 } from '../../src/mpc/transpose.js'
import { TweakableHash, writeTweak } from '../../src/mpc/tweakable-hash.js'
import { wordsOf } from '../../src/mpc/words.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'))

/** One AES-128 block, one cipher object: the independent reference. */
function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-ecb', key, null)
  cipher.setAutoPadding(false)
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]))
}

const xor = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x ^ b[i])

/** H(x, t) = pi(pi(x) ^ t) ^ pi(x), straight from the definition. */
function referenceTccr(key: Uint8Array, x: Uint8Array, tweak: Uint8Array): Uint8Array {
  const permuted = aesBlock(key, x)
  return xor(aesBlock(key, xor(permuted, tweak)), permuted)
}

// FIPS-197, Appendix C.1 (AES-128).
const FIPS_KEY = fromHex('000102030405060708090a0b0c0d0e0f')
const FIPS_PLAINTEXT = fromHex('00112233445566778899aabbccddeeff')
const FIPS_CIPHERTEXT = '69c4e0d86a7b0430d8cdb78070b4c55a'

describe('fixed-key AES and the tweakable hash', () => {
  it('permutes a batch of blocks with AES-128 (FIPS-197 C.1, repeated across slices)', () => {
    const hash = new TweakableHash(FIPS_KEY)
    const blocks = new Uint8Array(16 * 10_000)
    for (let i = 0; i < 10_000; i++) blocks.set(FIPS_PLAINTEXT, 16 * i)
    const out = new Uint8Array(hash.permute(wordsOf(blocks)).buffer)
    for (const i of [0, 1, 4095, 4096, 9999]) expect(hex(out.subarray(16 * i, 16 * i + 16))).toBe(FIPS_CIPHERTEXT)
  })

  it('computes H(x, t) = pi(pi(x) ^ t) ^ pi(x) (pinned vector and random batch)', () => {
    const hash = new TweakableHash(FIPS_KEY)
    const tweaks = new Uint32Array(4)
    writeTweak(tweaks, 0, 4_294_967_303, 2, 3)
    expect(Array.from(tweaks)).toEqual([7, 1, 2, 3])
    const tweakBytes = new Uint8Array(tweaks.buffer)
    expect(hex(referenceTccr(FIPS_KEY, FIPS_PLAINTEXT, tweakBytes))).toBe('22fd648ff62a640035dbcc85e8c5c7a6')
    const single = hash.hash(wordsOf(FIPS_PLAINTEXT.slice()), tweaks)
    expect(hex(new Uint8Array(single.buffer))).toBe('22fd648ff62a640035dbcc85e8c5c7a6')

    const key = randomBytes(16)
    const keyed = new TweakableHash(key)
    const count = 5000
    const inputs = new Uint8Array(randomBytes(16 * count))
    const laneTweaks = new Uint32Array(4 * 2 * count)
    for (let j = 0; j < 2 * count; j++) writeTweak(laneTweaks, j, 1000 + j, j % 3, j & 1)
    const out = new Uint8Array(keyed.hash(wordsOf(inputs), laneTweaks, 2).buffer)
    const tweakView = new Uint8Array(laneTweaks.buffer)
    for (const j of [0, 1, 2047, 2048, 4095, 4096, 9999]) {
      const expected = referenceTccr(key, inputs.subarray(16 * (j >> 1), 16 * (j >> 1) + 16), tweakView.subarray(16 * j, 16 * j + 16))
      expect(hex(out.subarray(16 * j, 16 * j + 16))).toBe(hex(expected))
    }
  })
})

describe('AES-CTR PRG', () => {
  it('is AES_s(0) || AES_s(1) || ... with a big-endian counter (SP 800-38A key), across calls', () => {
    const seed = fromHex('2b7e151628aed2a6abf7158809cf4f3c')
    const expected =
      '7df76b0c1ab899b33e42f047b91b546f57127d4034b1bebfaef466b9c7726fc6973f2ef34879e2027f1734303ff21f89'
    const reference = [0, 1, 2].map((i) => {
      const counter = new Uint8Array(16)
      counter[15] = i
      return hex(aesBlock(seed, counter))
    })
    expect(reference.join('')).toBe(expected)
    expect(hex(new AesCtrPrg(seed).next(48))).toBe(expected)
    const split = new AesCtrPrg(seed)
    expect(hex(split.next(5)) + hex(split.next(27)) + hex(split.next(16))).toBe(expected)
    const data = randomBytes(48)
    expect(hex(new AesCtrPrg(seed).mask(data))).toBe(hex(xor(data, fromHex(expected))))
  })
})

describe('bit-matrix transpose', () => {
  it('matches a bit-by-bit transpose', () => {
    const columnWords = 5
    const columns = new Uint32Array(randomBytes(4 * 128 * columnWords).buffer)
    const rows = transpose128(columns, columnWords)
    for (let j = 0; j < 32 * columnWords; j++) {
      for (let i = 0; i < 128; i++) {
        const columnBit = (columns[i * columnWords + (j >>> 5)] >>> (j & 31)) & 1
        const rowBit = (rows[4 * j + (i >>> 5)] >>> (i & 31)) & 1
        expect(rowBit).toBe(columnBit)
      }
    }
  })
})

describe('field limbs', () => {
  const random = () => BigInt('0x' + randomBytes(40).toString('hex')) % Fr.ORDER
  const limbs = (value: bigint) => {
    const out = new Uint32Array(FIELD_LIMBS)
    limbsFromBigint(value, out, 0)
    return out
  }
  const edges = [0n, 1n, Fr.ORDER - 1n, Fr.ORDER - 2n, Fr.ORDER / 2n, (Fr.ORDER + 1n) / 2n]

  it('computes p0 - p1 + c mod r and 2x mod r like bigints', () => {
    const values = [...edges, ...Array.from({ length: 300 }, random)]
    for (let i = 0; i < values.length; i++) {
      const [p0, p1, c] = [values[i], values[(i * 7 + 3) % values.length], values[(i * 13 + 5) % values.length]]
      const out = new Uint32Array(FIELD_LIMBS)
      writeCorrection(out, 0, limbs(p0), limbs(p1), 0, limbs(c))
      expect(bigintFromLimbs(out, 0)).toBe((((p0 - p1 + c) % Fr.ORDER) + Fr.ORDER) % Fr.ORDER)
      const doubled = limbs(p0)
      doubleModInPlace(doubled, 0)
      expect(bigintFromLimbs(doubled, 0)).toBe((2n * p0) % Fr.ORDER)
    }
  })

  it('reduces exactly the 256-bit values below 5r, including top-limb ties', () => {
    const candidates = [5n * Fr.ORDER - 1n, 5n * Fr.ORDER, (1n << 256n) - 1n, 3n * Fr.ORDER, 2n * Fr.ORDER - 1n]
    for (let k = 1n; k <= 5n; k++) candidates.push(k * Fr.ORDER - 1n, k * Fr.ORDER + 1n, ((k * Fr.ORDER) >> 32n) << 32n)
    for (let i = 0; i < 300; i++) candidates.push(BigInt('0x' + randomBytes(32).toString('hex')))
    for (const x of candidates) {
      const words = limbs(x)
      const accepted = reduceIfBelowFiveModuli(words, 0)
      expect(accepted).toBe(x < 5n * Fr.ORDER)
      if (accepted) expect(bigintFromLimbs(words, 0)).toBe(x % Fr.ORDER)
    }
  })
})

describe('field pads', () => {
  it('are deterministic, canonical, tweak-dependent and spread over F_r', () => {
    const hash = new TweakableHash(randomBytes(16))
    const keys = new Uint32Array(randomBytes(16 * 4000).buffer)
    const pads = hashToFieldLimbs(hash, keys, 100)
    expect(hashToFieldLimbs(hash, keys, 100)).toEqual(pads)
    const shifted = hashToFieldLimbs(hash, keys, 101)
    let topHalf = 0
    for (let j = 0; j < 4000; j++) {
      const value = bigintFromLimbs(pads, FIELD_LIMBS * j)
      expect(value < Fr.ORDER).toBe(true)
      expect(value).not.toBe(bigintFromLimbs(shifted, FIELD_LIMBS * j))
      if (value >= Fr.ORDER / 2n) topHalf++
    }
    // Uniform pads put about half above r/2; 4000 samples stay within 2000 +- 200 (6 sigma).
    expect(Math.abs(topHalf - 2000)).toBeLessThan(200)
  })
})
