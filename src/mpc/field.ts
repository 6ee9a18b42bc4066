/**
 * The BN254 scalar field F_r for the 2PC's additive shares. Elements are bigints in [0, r).
 * On the wire a vector is n fixed 32-byte little-endian words, so a peer's message length is
 * known in advance and checked exactly; a word >= r is refused, never reduced, so every
 * element has one encoding.
 */
import { FIELD_MODULUS, fieldReduce, randomFieldElement, randomFieldElements } from '../crypto/field.js'
import { ChannelError } from './channel.js'

export { FIELD_MODULUS, fieldReduce, randomFieldElement, randomFieldElements }

export const FIELD_ELEMENT_BYTES = 32
/** Bits of an element: r < 2^254. */
export const FIELD_BITS = 254

const MASK_64 = (1n << 64n) - 1n

export function fieldAdd(a: bigint, b: bigint): bigint {
  const sum = a + b
  return sum >= FIELD_MODULUS ? sum - FIELD_MODULUS : sum
}

export function fieldSub(a: bigint, b: bigint): bigint {
  const difference = a - b
  return difference < 0n ? difference + FIELD_MODULUS : difference
}

export function fieldNeg(a: bigint): bigint {
  return a === 0n ? 0n : FIELD_MODULUS - a
}

export function fieldMul(a: bigint, b: bigint): bigint {
  return (a * b) % FIELD_MODULUS
}

/** 32 little-endian bytes per element; throws RangeError for a value outside [0, r). */
export function encodeFieldElements(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * FIELD_ELEMENT_BYTES)
  const view = new DataView(out.buffer)
  values.forEach((value, i) => {
    if (value < 0n || value >= FIELD_MODULUS) throw new RangeError(`element ${i} is not in [0, r)`)
    let rest = value
    for (let word = 0; word < 4; word++) {
      view.setBigUint64(i * FIELD_ELEMENT_BYTES + 8 * word, rest & MASK_64, true)
      rest >>= 64n
    }
  })
  return out
}

/**
 * Parses bytes from the peer: exactly `count` canonical elements. A wrong length is
 * ChannelError('UNEXPECTED'), a word >= r is ChannelError('MALFORMED').
 */
export function decodeFieldElements(bytes: Uint8Array, count: number): bigint[] {
  if (bytes.length !== count * FIELD_ELEMENT_BYTES) {
    throw new ChannelError('UNEXPECTED', `expected ${count} field elements, got ${bytes.length} bytes`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Array<bigint>(count)
  for (let i = 0; i < count; i++) {
    let value = 0n
    for (let word = 3; word >= 0; word--) value = (value << 64n) | view.getBigUint64(i * FIELD_ELEMENT_BYTES + 8 * word, true)
    if (value >= FIELD_MODULUS) throw new ChannelError('MALFORMED', `element ${i} is not below the field modulus`)
    out[i] = value
  }
  return out
}
