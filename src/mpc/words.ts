/**
 * The OT and garbling code works on 32-bit words (4 per 128-bit block, 8 per field element)
 * and sends their bytes as they lie in memory. That is little-endian on every platform Node
 * ships for, which this module checks once, so the wire format is the same everywhere.
 */
import { endianness } from 'node:os'

if (endianness() !== 'LE') throw new Error('src/mpc needs a little-endian platform')

/** Words per 128-bit block. */
export const BLOCK_WORDS = 4
export const BLOCK_BYTES = 16

/** A word view of `bytes`, sharing memory when aligned and copying otherwise. */
export function wordsOf(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new RangeError('byte length is not a multiple of 4')
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
  return new Uint32Array(Uint8Array.from(bytes).buffer)
}

/** The bytes of `words`, sharing memory. */
export function bytesOf(words: Uint32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength)
}

/** Choice bits (one 0/1 byte each) packed LSB-first into words, padded with zeros. */
export function packBits(bits: Uint8Array, paddedCount: number): Uint32Array {
  const out = new Uint32Array(Math.ceil(paddedCount / 32))
  for (let i = 0; i < bits.length; i++) out[i >>> 5] |= (bits[i] & 1) << (i & 31)
  return out
}
