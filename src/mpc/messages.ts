/**
 * The messages of the OT protocols and the OLE, each with its tag, its exact length and its
 * one encoding (the Message interface of session.ts), in the style of mpz's per-protocol
 * msgs.rs. The protocols compute these values and never slice a peer's bytes themselves;
 * what a decoder refuses it refuses with the protocol's error (errors.ts). The garbled
 * circuit's messages are in garbled/messages.ts, the parameter digest in session.ts.
 * Word vectors travel as their in-memory little-endian bytes (words.ts).
 */
import { ristretto255 } from '@noble/curves/ed25519.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { BaseOtError, OleError } from './errors.js'
import { FIELD_LIMBS, isBelowModulus } from './field-limbs.js'
import { type Message, MessageTag } from './session.js'
import { BLOCK_BYTES, BLOCK_WORDS, bytesOf, wordsOf } from './words.js'

const Point = ristretto255.Point
export type Point = InstanceType<typeof Point>

/** A ristretto255 element with its canonical encoding, which the base OT's key derivation hashes. */
export interface EncodedPoint {
  point: Point
  bytes: Uint8Array
}

const POINT_BYTES = 32

/** Decodes a canonical ristretto255 encoding (fromBytes refuses every other 32-byte string). */
function decodePoint(bytes: Uint8Array, what: string): EncodedPoint {
  try {
    return { point: Point.fromBytes(bytes), bytes }
  } catch {
    throw new BaseOtError(`${what} is not a ristretto255 encoding`)
  }
}

/**
 * Base OT, sender to receiver: A = a G, once per batch. The identity is refused: an honest A
 * never is, and with it every key would follow from the transcript alone.
 */
export const baseOtSenderPoint: Message<EncodedPoint, void> = {
  tag: MessageTag.baseOtSender,
  bytes: () => POINT_BYTES,
  encode: (a) => a.bytes,
  decode: (payload) => {
    const a = decodePoint(payload, 'A')
    if (a.point.is0()) throw new BaseOtError('A is the identity')
    return a
  },
}

/**
 * Base OT, receiver to sender: B_0 .. B_{n-1}, one per OT. Any valid B_i is accepted, the
 * identity too: the group has prime order, and whatever B_i the receiver picks it can know
 * at most one of the two keys.
 */
export const baseOtReceiverPoints: Message<EncodedPoint[], number> = {
  tag: MessageTag.baseOtReceiver,
  bytes: (count) => POINT_BYTES * count,
  encode: (points) => concatBytes(...points.map((b) => b.bytes)),
  decode: (payload, count) =>
    Array.from({ length: count }, (_, i) => decodePoint(payload.subarray(POINT_BYTES * i, POINT_BYTES * (i + 1)), 'B')),
}

/**
 * Bytes of the IKNP columns message for a matrix of `count` OTs (the requested ones and the
 * KOS15 check's extra ones, see ot-extension.ts): 128 columns of one bit per OT, OTs padded
 * to a multiple of 32.
 */
export function extensionColumnBytes(count: number): number {
  return BLOCK_BYTES * Math.ceil(count / 32) * 32
}

/**
 * OT extension, receiver to sender: the columns u^i = t^i ^ G(k_i^1) ^ r for i < 128, one
 * after the other. Any bytes are valid columns; the consistency check decides whether they
 * were built from one choice vector.
 */
export const extensionColumns: Message<Uint8Array, number> = {
  tag: MessageTag.otExtensionColumns,
  bytes: extensionColumnBytes,
  encode: (columns) => columns,
  decode: (payload) => payload,
}

/** OT extension, sender to receiver, after the columns: the seed of the check's chi_j. Any 16 bytes. */
export const extensionChallenge: Message<Uint8Array, void> = {
  tag: MessageTag.otExtensionChallenge,
  bytes: () => BLOCK_BYTES,
  encode: (seed) => seed,
  decode: (payload) => payload,
}

/** The receiver's answer to the check: x = sum chi_j r_j and t = sum chi_j t_j, in GF(2^128). */
export interface ConsistencyAnswer {
  x: Uint32Array
  t: Uint32Array
}

/**
 * OT extension, receiver to sender: x then t, 4 words each. Any bytes decode; whether they
 * are right is the check's to say (OtExtensionError).
 */
export const extensionCheck: Message<ConsistencyAnswer, void> = {
  tag: MessageTag.otExtensionCheck,
  bytes: () => 2 * BLOCK_BYTES,
  encode: ({ x, t }) => concatBytes(bytesOf(x), bytesOf(t)),
  decode: (payload) => {
    const words = wordsOf(payload)
    return { x: words.subarray(0, BLOCK_WORDS), t: words.subarray(BLOCK_WORDS, 2 * BLOCK_WORDS) }
  },
}

/**
 * OLE, OT sender to receiver: the correction tau_j = p0 - p1 + x 2^i of each OT, a field
 * element as FIELD_LIMBS words. A limb vector >= r is refused, never reduced, so that every
 * correction has one encoding.
 */
export const oleCorrections: Message<Uint32Array, number> = {
  tag: MessageTag.oleCorrections,
  bytes: (ots) => 4 * FIELD_LIMBS * ots,
  encode: (corrections) => bytesOf(corrections),
  decode: (payload) => {
    const corrections = wordsOf(payload)
    for (let at = 0; at < corrections.length; at += FIELD_LIMBS) {
      if (!isBelowModulus(corrections, at)) throw new OleError('an OLE correction is not below r')
    }
    return corrections
  },
}
