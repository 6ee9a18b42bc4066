import { bytesToNumberBE } from '@noble/curves/utils.js'
import { F1Field, Scalar } from 'ffjavascript'
import { describe, expect, it } from 'vitest'
import {
  fieldElementsFromBytesLE,
  fieldElementsToBytesLE,
  FieldEncodingError,
  Fr,
  randomFieldElement,
} from '../../src/crypto/field.js'
import { MaciAnonError } from '../../src/errors.js'
import { R, randomField } from './helpers.js'

describe('field encoding', () => {
  it('uses the BN254 scalar field modulus and 32-byte encodings', () => {
    expect(Fr.ORDER).toBe(R)
    expect(Fr.BYTES).toBe(32)
  })

  it('encodes big-endian and round-trips', () => {
    expect(Array.from(Fr.toBytesBE(0x0102n))).toEqual([...new Array(30).fill(0), 1, 2])
    for (const value of [0n, 1n, R - 1n, randomField(), randomField()]) {
      const bytes = Fr.toBytesBE(value)
      expect(bytes).toHaveLength(32)
      expect(Fr.fromBytesBE(bytes)).toBe(value)
      expect(bytesToNumberBE(bytes)).toBe(value)
      expect(BigInt(`0x${Buffer.from(bytes).toString('hex')}`)).toBe(value)
    }
  })

  it('refuses values outside [0, r) when encoding', () => {
    for (const value of [-1n, R, R + 1n, 1n << 256n]) expect(() => Fr.toBytesBE(value), `${value}`).toThrow(FieldEncodingError)
  })

  it('refuses non-canonical or wrongly sized bytes', () => {
    const rBytes = Buffer.from(R.toString(16).padStart(64, '0'), 'hex')
    expect(() => Fr.fromBytesBE(rBytes)).toThrow(FieldEncodingError)
    expect(() => Fr.fromBytesBE(new Uint8Array(32).fill(0xff))).toThrow(FieldEncodingError)
    for (const length of [0, 31, 33, 64]) expect(() => Fr.fromBytesBE(new Uint8Array(length)), `${length} bytes`).toThrow(FieldEncodingError)
  })

  it('parses canonical decimal strings only', () => {
    expect(Fr.fromDecimal('0')).toBe(0n)
    expect(Fr.fromDecimal((R - 1n).toString())).toBe(R - 1n)
    for (const text of ['', '-1', '+1', '0x10', '1e3', ' 1', '1 ', '1.0', R.toString(), (R * 10n).toString(), '9'.repeat(79)]) {
      expect(() => Fr.fromDecimal(text), JSON.stringify(text)).toThrow(FieldEncodingError)
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

describe('byte-order-explicit encoders', () => {
  const edges = () => [0n, 1n, 0x0102n, R - 1n, R - 2n, (1n << 253n) + 1n, randomField(), randomField(), randomField()]
  const ffField = new F1Field(R)

  it('little-endian round-trips and is the big-endian encoding reversed', () => {
    expect(Array.from(Fr.toBytesLE(0x0102n))).toEqual([2, 1, ...new Array(30).fill(0)])
    for (const value of edges()) {
      const bytes = Fr.toBytesLE(value)
      expect(bytes).toHaveLength(32)
      expect(Fr.fromBytesLE(bytes)).toBe(value)
      expect(Array.from(bytes)).toEqual(Array.from(Fr.toBytesBE(value)).reverse())
    }
  })

  it('IField toBytes/fromBytes are the big-endian pair, and the field is not little-endian', () => {
    expect(Fr.isLE).toBe(false)
    for (const value of edges()) {
      expect(Fr.toBytes(value)).toEqual(Fr.toBytesBE(value))
      expect(Fr.fromBytes(Fr.toBytesBE(value))).toBe(value)
    }
  })

  it('refuses values outside [0, r) and non-canonical or wrongly sized little-endian bytes', () => {
    for (const value of [-1n, R, R + 1n, 1n << 256n]) {
      expect(() => Fr.toBytesLE(value), `${value}`).toThrow(FieldEncodingError)
      expect(() => fieldElementsToBytesLE([0n, value]), `${value}`).toThrow(/element 1 is not a field element/)
    }
    const rLE = Uint8Array.from(Buffer.from(R.toString(16).padStart(64, '0'), 'hex')).reverse()
    expect(() => Fr.fromBytesLE(rLE)).toThrow(FieldEncodingError)
    expect(() => Fr.fromBytesLE(new Uint8Array(32).fill(0xff))).toThrow(FieldEncodingError)
    for (const length of [0, 31, 33, 64]) expect(() => Fr.fromBytesLE(new Uint8Array(length)), `${length} bytes`).toThrow(FieldEncodingError)
    // R - 1 little-endian is accepted, R (one more in the lowest byte) is not.
    expect(Fr.fromBytesLE(Fr.toBytesLE(R - 1n))).toBe(R - 1n)
  })

  it('agrees with ffjavascript Scalar and F1Field encodings', () => {
    for (const value of edges()) {
      const le = new Uint8Array(32)
      Scalar.toRprLE(le, 0, value, 32)
      expect(Fr.toBytesLE(value)).toEqual(le)
      const be = new Uint8Array(32)
      Scalar.toRprBE(be, 0, value, 32)
      expect(Fr.toBytesBE(value)).toEqual(be)
      const fromField = new Uint8Array(32)
      ffField.toRprLE(fromField, 0, ffField.e(value))
      expect(Fr.toBytesLE(value)).toEqual(fromField)
      expect(ffField.fromRprLE(Fr.toBytesLE(value), 0)).toBe(value)
      expect(Scalar.fromRprBE(Fr.toBytesBE(value), 0, 32)).toBe(value)
    }
  })

  it('vectors are consecutive little-endian words, as ffjavascript packs scalars', () => {
    const values = edges()
    const bytes = fieldElementsToBytesLE(values)
    const expected = new Uint8Array(32 * values.length)
    values.forEach((value, i) => Scalar.toRprLE(expected, 32 * i, value, 32))
    expect(bytes).toEqual(expected)
    expect(fieldElementsFromBytesLE(bytes)).toEqual(values)
    expect(fieldElementsFromBytesLE(new Uint8Array(0))).toEqual([])
    const bad = bytes.slice()
    bad.set(new Uint8Array(32).fill(0xff), 64)
    expect(() => fieldElementsFromBytesLE(bad)).toThrow(/element 2 is not below the field modulus/)
    expect(() => fieldElementsFromBytesLE(bytes.subarray(1))).toThrow(FieldEncodingError)
  })

  it('FieldEncodingError is a MaciAnonError that may be shown to the peer', () => {
    const error = (() => {
      try {
        Fr.fromBytesBE(new Uint8Array(3))
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(MaciAnonError)
    expect(error).toMatchObject({ name: 'FieldEncodingError', code: 'FIELD_ENCODING', exposable: true, message: 'expected 32 bytes, got 3' })
  })
})

describe('field arithmetic', () => {
  const mod = (x: bigint) => ((x % R) + R) % R
  const samples = () => [0n, 1n, 2n, R - 1n, R - 2n, R >> 1n, ...Array.from({ length: 20 }, randomField)]

  it('matches integer arithmetic mod r on canonical operands', () => {
    for (const a of samples()) {
      for (const b of [0n, 1n, R - 1n, randomField()]) {
        expect(Fr.add(a, b)).toBe(mod(a + b))
        expect(Fr.sub(a, b)).toBe(mod(a - b))
        expect(Fr.mul(a, b)).toBe(mod(a * b))
      }
      expect(Fr.neg(a)).toBe(mod(-a))
      expect(Fr.sqr(a)).toBe(mod(a * a))
      expect(Fr.pow(a, 5n)).toBe(mod(a * a * a * a * a))
      expect(Fr.isValid(a)).toBe(true)
      expect(Fr.eql(a, a)).toBe(true)
      expect(Fr.is0(a)).toBe(a === 0n)
    }
  })

  it('create reduces any integer, negative included', () => {
    for (const x of [-1n, -R, -R - 1n, R, R + 5n, 3n * R + 7n, -(1n << 300n), 1n << 300n]) expect(Fr.create(x)).toBe(mod(x))
    expect([-1n, R, R + 1n].map((x) => Fr.isValid(x))).toEqual([false, false, false])
  })

  it('inverts and divides, and refuses to invert zero', () => {
    for (const a of samples().filter((x) => x !== 0n)) {
      expect(Fr.mul(a, Fr.inv(a))).toBe(1n)
      expect(Fr.mul(Fr.div(7n, a), a)).toBe(7n)
    }
    expect(Fr.invertBatch([2n, 3n, 0n])).toEqual([Fr.inv(2n), Fr.inv(3n), 0n])
    expect(() => Fr.inv(0n)).toThrow()
  })

  it('takes square roots of squares', () => {
    for (const a of samples()) {
      const root = Fr.sqrt(Fr.sqr(a))
      expect(root === a || root === Fr.neg(a)).toBe(true)
    }
  })
})
