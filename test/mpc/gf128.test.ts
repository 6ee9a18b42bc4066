/**
 * GF(2^128) of the KOS15 check (src/mpc/gf128.ts) against three references: a BigInt
 * carry-less multiply and long division written here, the published GHASH value of GCM test
 * case 2 (McGrew, Viega, "The Galois/Counter Mode of Operation", 2005, appendix B), and
 * node:crypto's AES-128-GCM tags (OpenSSL's GHASH). GCM reflects the bits of each block
 * (the first bit is x^0), so its blocks are bit-reversed into this module's layout.
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { carrylessMultiply, equal, innerProduct, multiply, reduce } from '../../src/mpc/gf128.js'

const MODULUS = (1n << 128n) | 0x87n

function toBig(words: Uint32Array): bigint {
  let value = 0n
  for (let w = words.length - 1; w >= 0; w--) value = (value << 32n) | BigInt(words[w])
  return value
}

function fromBig(value: bigint, words = 4): Uint32Array {
  return Uint32Array.from({ length: words }, (_, w) => Number((value >> BigInt(32 * w)) & 0xffffffffn))
}

function clmulBig(a: bigint, b: bigint): bigint {
  let product = 0n
  for (let k = 0n; b >> k !== 0n; k++) if ((b >> k) & 1n) product ^= a << k
  return product
}

function reduceBig(value: bigint): bigint {
  for (let degree = 254n; degree >= 128n; degree--) if ((value >> degree) & 1n) value ^= MODULUS << (degree - 128n)
  return value
}

const multiplyBig = (a: bigint, b: bigint) => reduceBig(clmulBig(a, b))
const random = () => new Uint32Array(randomBytes(16).buffer.slice(0))

/** A GCM block (x^0 the most significant bit of byte 0) in this module's layout. */
function fromGcm(block: Uint8Array): Uint32Array {
  const words = new Uint32Array(4)
  for (let i = 0; i < 128; i++) if ((block[i >>> 3] >>> (7 - (i & 7))) & 1) words[i >>> 5] |= 1 << (i & 31)
  return words
}

function toGcm(words: Uint32Array): Uint8Array {
  const block = new Uint8Array(16)
  for (let i = 0; i < 128; i++) if ((words[i >>> 5] >>> (i & 31)) & 1) block[i >>> 3] |= 1 << (7 - (i & 7))
  return block
}

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'))

/** GHASH_H of the blocks (each 16 bytes), as GCM defines it: X = (X ^ B_i) * H for each block. */
function ghash(h: Uint8Array, blocks: Uint8Array[]): Uint8Array {
  const key = fromGcm(h)
  let x: Uint32Array<ArrayBufferLike> = new Uint32Array(4)
  for (const block of blocks) {
    const b = fromGcm(block)
    x = multiply(Uint32Array.from(x, (word, w) => word ^ b[w]), key)
  }
  return toGcm(x)
}

describe('GF(2^128) with x^128 + x^7 + x^2 + x + 1', () => {
  it('multiplies as the BigInt carry-less reference, and reduces x^128 to x^7 + x^2 + x + 1', () => {
    for (let i = 0; i < 200; i++) {
      const [a, b] = [random(), random()]
      expect(toBig(carrylessMultiply(a, b))).toBe(clmulBig(toBig(a), toBig(b)))
      expect(toBig(multiply(a, b))).toBe(multiplyBig(toBig(a), toBig(b)))
    }
    const x127 = fromBig(1n << 127n)
    expect(toBig(multiply(x127, fromBig(2n)))).toBe(0x87n)
    // x^254, the largest product, needs the fold of word 7 folded again.
    expect(toBig(multiply(x127, x127))).toBe(reduceBig(1n << 254n))
    const allOnes = fromBig((1n << 128n) - 1n)
    expect(toBig(multiply(allOnes, allOnes))).toBe(multiplyBig((1n << 128n) - 1n, (1n << 128n) - 1n))
    expect(toBig(reduce(fromBig(1n << 200n, 8)))).toBe(reduceBig(1n << 200n))
  })

  it('gives the GHASH of GCM test case 2', () => {
    const h = hex('66e94bd4ef8a2c3b884cfa59ca342b2e')
    const c = hex('0388dace60b6a392f328c2b971b2fe78')
    const lengths = hex('00000000000000000000000000000080')
    expect(Buffer.from(ghash(h, [c, lengths])).toString('hex')).toBe('f38cbb1ad69223dcc3457ae5b6b0f885')
  })

  it("gives node:crypto's AES-128-GCM tags (GHASH xor E_K(J0))", () => {
    for (const blocks of [1, 2, 7]) {
      const key = randomBytes(16)
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-128-gcm', key, iv)
      const ciphertext = Buffer.concat([cipher.update(randomBytes(16 * blocks)), cipher.final()])
      const ecb = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false)
      const h = ecb.update(new Uint8Array(16))
      const j0 = ecb.update(Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]))
      const lengths = new Uint8Array(16)
      new DataView(lengths.buffer).setBigUint64(8, BigInt(8 * ciphertext.length))
      const chunks = Array.from({ length: blocks }, (_, i) => ciphertext.subarray(16 * i, 16 * (i + 1)))
      const tag = ghash(h, [...chunks, lengths]).map((byte, i) => byte ^ j0[i])
      expect(Buffer.from(tag).toString('hex')).toBe(cipher.getAuthTag().toString('hex'))
    }
  })

  it('is commutative, associative and distributive, with 1 as identity and 0 as zero', () => {
    const one = fromBig(1n)
    const zero = new Uint32Array(4)
    for (let i = 0; i < 100; i++) {
      const [a, b, c] = [random(), random(), random()]
      expect(equal(multiply(a, b), multiply(b, a))).toBe(true)
      expect(equal(multiply(multiply(a, b), c), multiply(a, multiply(b, c)))).toBe(true)
      const sum = Uint32Array.from(b, (word, w) => word ^ c[w])
      const distributed = Uint32Array.from(multiply(a, b), (word, w) => word ^ multiply(a, c)[w])
      expect(equal(multiply(a, sum), distributed)).toBe(true)
      expect(equal(multiply(a, one), a)).toBe(true)
      expect(equal(multiply(a, zero), zero)).toBe(true)
    }
  })

  it('equal looks at every word', () => {
    const a = random()
    for (let w = 0; w < 4; w++) {
      const b = Uint32Array.from(a)
      b[w] ^= 1 << 31
      expect(equal(a, b)).toBe(false)
    }
    expect(equal(a, Uint32Array.from(a))).toBe(true)
  })

  it('innerProduct is sum chi_j * r_j, for any count and any row bytes', () => {
    for (const count of [0, 1, 2, 31, 256, 1000]) {
      const chis = new Uint32Array(randomBytes(16 * count).buffer.slice(0))
      const rows = new Uint32Array(randomBytes(16 * count).buffer.slice(0))
      // Rows of all-zero and all-one bytes reach the first and last buckets.
      if (count > 1) {
        rows.fill(0, 0, 4)
        rows.fill(0xffffffff, 4, 8)
      }
      let expected = 0n
      for (let j = 0; j < count; j++) expected ^= multiplyBig(toBig(chis.subarray(4 * j, 4 * j + 4)), toBig(rows.subarray(4 * j, 4 * j + 4)))
      expect(toBig(innerProduct(chis, rows, count))).toBe(expected)
    }
    expect(() => innerProduct(new Uint32Array(4), new Uint32Array(8), 2)).toThrow(RangeError)
  })
})
