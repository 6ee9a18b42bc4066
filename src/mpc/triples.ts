/**
 * Preprocessing for multiplication on additive shares, made by OT multiplication (ole.ts,
 * Gilboa 1999) on IKNP correlated OTs, every OLE in one direction with one party as OT
 * sender (`otSender`): one base-OT set per session, whose direction a session that also
 * garbles shares with the garbler's input-label OTs. The price is a work split of roughly
 * 2:1 (the OT sender hashes both OT messages).
 *
 * - Beaver triples (Beaver, "Efficient Multiparty Protocols Using Circuit Randomization",
 *   CRYPTO 1991): random shared a, b and c = a * b. With a = a_s + a_r and b = b_s + b_r
 *   (s the OT sender, r the receiver), c = a_s b_s + a_r b_r + a_s b_r + b_s a_r; the two
 *   cross products are two OLEs with the sender's full field elements, run in the same
 *   messages. Cost: 2 x 254 OTs, 24,384 bytes per triple.
 * - Square pairs (random shared a and a^2, as in SPDZ: Damgard, Pastro, Smart, Zakarias,
 *   CRYPTO 2012): a^2 = a_s^2 + a_r^2 + 2 a_s a_r needs ONE OLE, so a squaring costs half a
 *   multiplication (12,192 bytes); x^5 in a Poseidon S-box takes two squarings and one
 *   multiplication instead of three multiplications.
 *
 * Semi-honest: the triples are correct if both parties follow the protocol; MASCOT-style
 * sacrifice (Keller, Orsini, Scholl, CCS 2016) would add the malicious check.
 */
import { Fr, randomFieldElements } from '../crypto/field.js'
import { oleMultiply } from './ole.js'
import type { MpcSession, Party } from './session.js'

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

export interface PreprocessingOptions {
  /** The party that is OT sender of every OLE. */
  otSender: Party
}

/** This party's shares of `count` Beaver triples. Both parties call it with the same count and options. */
export async function generateTriples(session: MpcSession, count: number, options: PreprocessingOptions): Promise<TripleShares> {
  const a = randomFieldElements(count)
  const b = randomFieldElements(count)
  // Cross products a_s * b_r and b_s * a_r, the sender s contributing full field elements.
  const sending = session.party === options.otSender
  const cross = await oleMultiply(session, sending ? [...a, ...b] : [...b, ...a], { otSender: options.otSender })
  return { a, b, c: a.map((ai, k) => Fr.add(Fr.add(Fr.mul(ai, b[k]), cross[k]), cross[count + k])) }
}

/** This party's shares of `count` square pairs. Both parties call it with the same count and options. */
export async function generateSquarePairs(session: MpcSession, count: number, options: PreprocessingOptions): Promise<SquareShares> {
  const a = randomFieldElements(count)
  // a^2 = a_s^2 + a_r^2 + 2 a_s a_r: one OLE on (2 a_s, a_r).
  const sending = session.party === options.otSender
  const cross = await oleMultiply(session, sending ? a.map((ai) => Fr.add(ai, ai)) : a, { otSender: options.otSender })
  return { a, square: a.map((ai, k) => Fr.add(Fr.mul(ai, ai), cross[k])) }
}
