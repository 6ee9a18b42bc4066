/**
 * A deviating OT-extension receiver (issue 9's deviating-voter harness): it speaks the wire
 * format of src/mpc/ot-extension.ts, but builds chosen columns u^i from another choice
 * vector than the others, the selective attack on delta_i that KOS15 (Keller, Orsini,
 * Scholl, CRYPTO 2015, section 3) is there to stop. With no deviation it is an honest
 * receiver, which the tests use to show that the harness itself passes the check.
 *
 * Column i built from r' instead of r gives the sender q_j = t_j ^ r_j delta ^ delta_i e_i
 * wherever r'_j != r_j (e_i the unit vector, x^i as a field element), so:
 * - where delta_i = 0 the sender never uses column i's second seed: the deviation is
 *   invisible and changes nothing;
 * - where delta_i = 1 the sender's q_j is off by e_i, and the receiver's answer to the check
 *   must say so to pass, which it can only by guessing delta_i = 1.
 * The answer strategies below are those guesses, and one that guesses nothing.
 */
import { randomBytes } from 'node:crypto'
import { baseOtSend } from '../../../src/mpc/base-ot.js'
import { innerProduct, multiply } from '../../../src/mpc/gf128.js'
import { extensionChallenge, extensionCheck, extensionColumnBytes, extensionColumns } from '../../../src/mpc/messages.js'
import { extendedCount } from '../../../src/mpc/ot-extension.js'
import { AesCtrPrg } from '../../../src/mpc/prg.js'
import { type MpcSession, receive, send } from '../../../src/mpc/session.js'
import { transpose128 } from '../../../src/mpc/transpose.js'
import { BLOCK_BYTES, BLOCK_WORDS, bytesOf, packBits, wordsOf } from '../../../src/mpc/words.js'

/** For each deviating column, the OTs whose choice it flips. */
export type Deviation = Map<number, readonly number[]>

/**
 * How the receiver answers the check:
 * - 'real-choices': x and t from its real choices and its rows, as an honest receiver would
 *   (passes exactly when delta_i = 0 for every deviating column: the guess delta_i = 0);
 * - 'guess-one': t corrected by e_i * sum chi_j over the flipped OTs of each deviating
 *   column (passes exactly when delta_i = 1 for each: the guess delta_i = 1);
 * - 'column-choices': x from the choices of the (single) deviating column, t from its rows:
 *   no guess, and no delta passes it.
 */
export type AnswerStrategy = 'real-choices' | 'guess-one' | 'column-choices'

/** The unit vector e_i = x^i as 4 words. */
export function unit(i: number): Uint32Array {
  const e = new Uint32Array(BLOCK_WORDS)
  e[i >>> 5] = (1 << (i & 31)) >>> 0
  return e
}

function xorInto(target: Uint32Array, at: number, value: Uint32Array): void {
  for (let w = 0; w < BLOCK_WORDS; w++) target[at + w] ^= value[w]
}

export class DeviatingReceiver {
  private constructor(
    private readonly zeroPrgs: AesCtrPrg[],
    private readonly onePrgs: AesCtrPrg[],
  ) {}

  /** The base OTs, as the product's receiver runs them (it is their sender). */
  static async setUp(session: MpcSession): Promise<DeviatingReceiver> {
    const { zero, one } = await baseOtSend(session, 128)
    return new DeviatingReceiver(
      zero.map((seed) => new AesCtrPrg(seed)),
      one.map((seed) => new AesCtrPrg(seed)),
    )
  }

  /** The columns for `choices` (all OTs of the matrix), column i built from its flipped choices; and the rows t_j. */
  private columns(choices: Uint8Array, deviation: Deviation): { columns: Uint8Array; rows: Uint32Array } {
    const columnBytes = extensionColumnBytes(choices.length) / 128
    const columnWords = columnBytes / 4
    const t = new Uint32Array(128 * columnWords)
    const columns = new Uint8Array(128 * columnBytes)
    for (let i = 0; i < 128; i++) {
      const own = Uint8Array.from(choices)
      for (const j of deviation.get(i) ?? []) own[j] ^= 1
      const packed = packBits(own, 8 * columnBytes)
      t.set(wordsOf(this.zeroPrgs[i].next(columnBytes)), i * columnWords)
      const masked = Uint32Array.from(packed, (word, w) => word ^ t[i * columnWords + w])
      columns.set(this.onePrgs[i].mask(bytesOf(masked)), i * columnBytes)
    }
    return { columns, rows: transpose128(t, columnWords) }
  }

  /**
   * IKNP as it was before the check (the semi-honest extension): columns for the padded
   * count, nothing else. The peer is test/malicious/helpers/unchecked-sender.ts.
   */
  async extendUnchecked(session: MpcSession, choices: Uint8Array, deviation: Deviation): Promise<Uint32Array> {
    const padded = Math.ceil(choices.length / 32) * 32
    const all = new Uint8Array(padded)
    all.set(choices)
    const { columns, rows } = this.columns(all, deviation)
    await send(session, extensionColumns, columns, padded)
    return rows.subarray(0, BLOCK_WORDS * choices.length)
  }

  /** The checked extension against the product's sender (correlatedOtSend), answering as `strategy` says. */
  async extendChecked(session: MpcSession, choices: Uint8Array, deviation: Deviation, strategy: AnswerStrategy): Promise<Uint32Array> {
    const extended = extendedCount(choices.length)
    const all = new Uint8Array(extended)
    all.set(choices)
    const random = randomBytes(extended)
    for (let j = choices.length; j < extended; j++) all[j] = random[j] & 1
    const { columns, rows } = this.columns(all, deviation)
    await send(session, extensionColumns, columns, extended)
    const seed = await receive(session, extensionChallenge, undefined)
    const chis = wordsOf(new AesCtrPrg(seed).next(BLOCK_BYTES * extended))
    const claimed = Uint8Array.from(all)
    if (strategy === 'column-choices') {
      if (deviation.size !== 1) throw new RangeError("'column-choices' answers for one deviating column")
      for (const j of [...deviation.values()][0]) claimed[j] ^= 1
    }
    const x = new Uint32Array(BLOCK_WORDS)
    for (let j = 0; j < extended; j++) if (claimed[j] === 1) xorInto(x, 0, chis.subarray(BLOCK_WORDS * j, BLOCK_WORDS * (j + 1)))
    const t = innerProduct(chis, rows, extended)
    if (strategy === 'guess-one') {
      for (const [i, flipped] of deviation) {
        const sum = new Uint32Array(BLOCK_WORDS)
        for (const j of flipped) xorInto(sum, 0, chis.subarray(BLOCK_WORDS * j, BLOCK_WORDS * (j + 1)))
        xorInto(t, 0, multiply(sum, unit(i)))
      }
    }
    await send(session, extensionCheck, { x, t }, undefined)
    return rows.subarray(0, BLOCK_WORDS * choices.length)
  }
}
