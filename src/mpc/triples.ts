/**
 * Preprocessing for multiplication on additive shares, made by OT multiplication (ole.ts,
 * Gilboa 1999) on IKNP correlated OTs:
 *
 * - Beaver triples (Beaver, "Efficient Multiparty Protocols Using Circuit Randomization",
 *   CRYPTO 1991): random shared a, b and c = a * b. With a = a0 + a1 and b = b0 + b1,
 *   c = a0 b0 + a1 b1 + a0 b1 + a1 b0; the two cross products are two OLEs in opposite
 *   directions (each party is OT sender with its a_p and OT receiver with its b_p), run in
 *   the same messages, so both parties work at the same time. Cost: 2 x 254 OTs, 24,384 bytes
 *   per triple; the first call runs the base OTs of both directions. With `otSender` both
 *   OLEs run in one direction instead (PreprocessingOptions).
 * - Square pairs (random shared a and a^2, as in SPDZ: Damgard, Pastro, Smart, Zakarias,
 *   CRYPTO 2012): a^2 = a0^2 + a1^2 + 2 a0 a1 needs ONE OLE, so a squaring costs
 *   half a multiplication (12,192 bytes); x^5 in a Poseidon S-box takes two squarings and one
 *   multiplication instead of three multiplications. Party 0 is OT sender for the first half
 *   of the pairs and party 1 for the rest.
 * - Products of shared values without preprocessing (multiplyShares): x y = x0 y0 + x1 y1 +
 *   the same two cross OLEs as a triple, with the real shares as inputs, so no opening and no
 *   triple; useful when the inputs are ready when the products are needed.
 *
 * Semi-honest: the triples are correct if both parties follow the protocol; MASCOT-style
 * sacrifice (Keller, Orsini, Scholl, CCS 2016) would add the malicious check.
 */
import { fieldAdd, fieldMul, randomFieldElements } from './field.js'
import { bidirectionalOle, oleMultiply } from './ole.js'
import type { MpcSession } from './session.js'

export interface TripleShares {
  a: bigint[]
  b: bigint[]
  c: bigint[]
}

export interface SquareShares {
  a: bigint[]
  /** Shares of a^2. */
  square: bigint[]
}

/** This party's shares of x[i] * y[i] for shared vectors x, y: two cross OLEs, no triples. */
export async function multiplyShares(session: MpcSession, x: readonly bigint[], y: readonly bigint[]): Promise<bigint[]> {
  if (x.length !== y.length) throw new RangeError('x and y need the same length')
  const { asSender, asReceiver } = await bidirectionalOle(session, x, y)
  return x.map((xi, k) => fieldAdd(fieldAdd(fieldMul(xi, y[k]), asSender[k]), asReceiver[k]))
}

/**
 * How preprocessing uses OT. By default both parties act as OT sender for half the work, so
 * they compute in parallel, which takes one base-OT set per direction. With `otSender` set,
 * every OLE runs in one direction, that party sending: one base-OT set per session instead
 * of two (about 128 group exponentiations less per party), at the price of a work split of
 * roughly 2:1 (the sender hashes both OT messages). A session that also garbles should pick
 * the garbler, whose input-label OTs then reuse the same set.
 */
export interface PreprocessingOptions {
  otSender?: 0 | 1
}

/** This party's shares of `count` Beaver triples. Both parties call it with the same count and options. */
export async function generateTriples(session: MpcSession, count: number, options: PreprocessingOptions = {}): Promise<TripleShares> {
  const a = randomFieldElements(count)
  const b = randomFieldElements(count)
  if (options.otSender === undefined) return { a, b, c: await multiplyShares(session, a, b) }
  // Cross products a_s * b_r and b_s * a_r, the sender s contributing full field elements.
  const sending = session.party === options.otSender
  const cross = await oleMultiply(session, sending ? [...a, ...b] : [...b, ...a], { otSender: options.otSender })
  return { a, b, c: a.map((ai, k) => fieldAdd(fieldAdd(fieldMul(ai, b[k]), cross[k]), cross[count + k])) }
}

/** This party's shares of `count` square pairs. Both parties call it with the same count and options. */
export async function generateSquarePairs(session: MpcSession, count: number, options: PreprocessingOptions = {}): Promise<SquareShares> {
  const a = randomFieldElements(count)
  let cross: bigint[]
  if (options.otSender === undefined) {
    const half = Math.ceil(count / 2)
    const [mine, theirs] = session.party === 0 ? [a.slice(0, half), a.slice(half)] : [a.slice(half), a.slice(0, half)]
    const { asSender, asReceiver } = await bidirectionalOle(
      session,
      mine.map((ai) => fieldAdd(ai, ai)),
      theirs,
    )
    cross = session.party === 0 ? [...asSender, ...asReceiver] : [...asReceiver, ...asSender]
  } else {
    // a^2 = a_s^2 + a_r^2 + 2 a_s a_r: one OLE on (2 a_s, a_r).
    const sending = session.party === options.otSender
    cross = await oleMultiply(session, sending ? a.map((ai) => fieldAdd(ai, ai)) : a, { otSender: options.otSender })
  }
  return { a, square: a.map((ai, k) => fieldAdd(fieldMul(ai, ai), cross[k])) }
}
