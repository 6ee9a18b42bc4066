/**
 * Additive secret sharing over F_r: x = x0 + x1, party p holds x_p. Linear operations are
 * local (Fr.add, Fr.sub, multiplication by a public constant on each share; a public
 * constant is added by party 0 only). Opening and multiplication take one round trip for a
 * whole vector.
 *
 * Multiplication is Beaver's (CRYPTO 1991): with a triple (a, b, c = ab), open d = x - a and
 * e = y - b, then xy = c + d b + e a + d e, where party 0 adds d e. Squaring with a pair
 * (a, a^2) opens d = x - a only: x^2 = a^2 + 2 d a + d^2.
 *
 * Preprocessing is consumed, never reused (reusing a triple reveals x - x'): the caller
 * passes exactly one triple per product, and takeTriples / takeSquarePairs remove them from
 * a pool.
 */
import { FieldEncodingError, Fr, fieldElementsFromBytesLE, fieldElementsToBytesLE } from '../crypto/field.js'
import { ChannelError } from './channel.js'
import { type MpcSession, MessageTag, exchangeMessages } from './session.js'
import type { SquareShares, TripleShares } from './triples.js'

/**
 * A vector of shares on the wire: n fixed 32-byte little-endian words (ffjavascript's scalar
 * layout), so a peer's message length is known in advance and checked exactly. Throws
 * FieldEncodingError for a value outside [0, r).
 */
export function encodeFieldElements(values: readonly bigint[]): Uint8Array {
  return fieldElementsToBytesLE(values)
}

/**
 * Parses bytes from the peer: exactly `count` canonical elements. A wrong length is
 * ChannelError('UNEXPECTED'), a word >= r is ChannelError('MALFORMED'): it is refused, never
 * reduced, so every element has one encoding.
 */
export function decodeFieldElements(bytes: Uint8Array, count: number): bigint[] {
  if (bytes.length !== count * Fr.BYTES) {
    throw new ChannelError('UNEXPECTED', `expected ${count} field elements, got ${bytes.length} bytes`)
  }
  try {
    return fieldElementsFromBytesLE(bytes)
  } catch (error) {
    if (error instanceof FieldEncodingError) throw new ChannelError('MALFORMED', error.detail)
    throw error
  }
}

/** Both parties learn x = own share + peer share, for each element. */
export async function open(session: MpcSession, shares: readonly bigint[]): Promise<bigint[]> {
  const peer = decodeFieldElements(
    await exchangeMessages(session, MessageTag.openedShares, encodeFieldElements(shares), Fr.BYTES * shares.length),
    shares.length,
  )
  return shares.map((share, i) => Fr.add(share, peer[i]))
}

function assertLength(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new RangeError(`${name} has ${actual} elements, expected ${expected}`)
}

/** Shares of x[i] * y[i] for each i, consuming triples[i]. One round trip, 64 bytes per product each way. */
export async function beaverMultiply(
  session: MpcSession,
  x: readonly bigint[],
  y: readonly bigint[],
  triples: TripleShares,
): Promise<bigint[]> {
  const n = x.length
  for (const [name, vector] of [['y', y], ['triples.a', triples.a], ['triples.b', triples.b], ['triples.c', triples.c]] as const) {
    assertLength(name, vector.length, n)
  }
  const opened = await open(session, [...x.map((xi, i) => Fr.sub(xi, triples.a[i])), ...y.map((yi, i) => Fr.sub(yi, triples.b[i]))])
  return triples.c.map((c, i) => {
    const d = opened[i]
    const e = opened[n + i]
    const shared = Fr.add(Fr.add(c, Fr.mul(d, triples.b[i])), Fr.mul(e, triples.a[i]))
    return session.party === 0 ? Fr.add(shared, Fr.mul(d, e)) : shared
  })
}

/** Shares of x[i]^2 for each i, consuming pairs[i]. One round trip, 32 bytes per square each way. */
export async function beaverSquare(session: MpcSession, x: readonly bigint[], pairs: SquareShares): Promise<bigint[]> {
  assertLength('pairs.a', pairs.a.length, x.length)
  assertLength('pairs.square', pairs.square.length, x.length)
  const opened = await open(session, x.map((xi, i) => Fr.sub(xi, pairs.a[i])))
  return pairs.square.map((square, i) => {
    const d = opened[i]
    const shared = Fr.add(square, Fr.mul(Fr.add(d, d), pairs.a[i]))
    return session.party === 0 ? Fr.add(shared, Fr.mul(d, d)) : shared
  })
}

function assertPoolHolds(vectors: readonly bigint[][], count: number): void {
  for (const vector of vectors) {
    if (vector.length < count) throw new RangeError(`the pool holds ${vector.length} entries, ${count} requested`)
  }
}

/** Removes the first `count` triples from `pool` and returns them. */
export function takeTriples(pool: TripleShares, count: number): TripleShares {
  assertPoolHolds([pool.a, pool.b, pool.c], count)
  return { a: pool.a.splice(0, count), b: pool.b.splice(0, count), c: pool.c.splice(0, count) }
}

/** Removes the first `count` square pairs from `pool` and returns them. */
export function takeSquarePairs(pool: SquareShares, count: number): SquareShares {
  assertPoolHolds([pool.a, pool.square], count)
  return { a: pool.a.splice(0, count), square: pool.square.splice(0, count) }
}
