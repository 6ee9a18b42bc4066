import { describe, expect, it } from 'vitest'
import {
  bytesToBigInt,
  FIELD_BYTES,
  FIELD_MODULUS,
  fieldFromBytes,
  fieldFromDecimal,
  FieldEncodingError,
  fieldToBytes,
  randomFieldElement,
} from '../../src/crypto/field.js'
import { R, randomField } from './helpers.js'

describe('field encoding', () => {
  it('uses the BN254 scalar field modulus and 32-byte encodings', () => {
    expect(FIELD_MODULUS).toBe(R)
    expect(FIELD_BYTES).toBe(32)
  })

  it('encodes big-endian and round-trips', () => {
    expect(Array.from(fieldToBytes(0x0102n))).toEqual([...new Array(30).fill(0), 1, 2])
    for (const value of [0n, 1n, R - 1n, randomField(), randomField()]) {
      const bytes = fieldToBytes(value)
      expect(bytes).toHaveLength(32)
      expect(fieldFromBytes(bytes)).toBe(value)
      expect(bytesToBigInt(bytes)).toBe(value)
      expect(BigInt(`0x${Buffer.from(bytes).toString('hex')}`)).toBe(value)
    }
  })

  it('refuses values outside [0, r) when encoding', () => {
    for (const value of [-1n, R, R + 1n, 1n << 256n]) expect(() => fieldToBytes(value), `${value}`).toThrow(FieldEncodingError)
  })

  it('refuses non-canonical or wrongly sized bytes', () => {
    const rBytes = Buffer.from(R.toString(16).padStart(64, '0'), 'hex')
    expect(() => fieldFromBytes(rBytes)).toThrow(FieldEncodingError)
    expect(() => fieldFromBytes(new Uint8Array(32).fill(0xff))).toThrow(FieldEncodingError)
    for (const length of [0, 31, 33, 64]) expect(() => fieldFromBytes(new Uint8Array(length)), `${length} bytes`).toThrow(FieldEncodingError)
  })

  it('parses canonical decimal strings only', () => {
    expect(fieldFromDecimal('0')).toBe(0n)
    expect(fieldFromDecimal((R - 1n).toString())).toBe(R - 1n)
    for (const text of ['', '-1', '+1', '0x10', '1e3', ' 1', '1 ', '1.0', R.toString(), (R * 10n).toString(), '9'.repeat(79)]) {
      expect(() => fieldFromDecimal(text), JSON.stringify(text)).toThrow(FieldEncodingError)
    }
  })

  it('randomFieldElement stays in [0, r) and does not repeat', () => {
    const seen = new Set<bigint>()
    let highBitSet = false
    for (let i = 0; i < 200; i++) {
      const value = randomFieldElement()
      expect(value >= 0n && value < R).toBe(true)
      if (value >= 1n << 253n) highBitSet = true
      seen.add(value)
    }
    expect(seen.size).toBe(200)
    // About 37% of field elements are >= 2^253; missing all of them in 200 draws has probability < 2^-130.
    expect(highBitSet).toBe(true)
  })
})
