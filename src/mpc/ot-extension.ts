/**
 * OT extension: Ishai, Kilian, Nissim, Petrank, "Extending Oblivious Transfers
 * Efficiently", CRYPTO 2003, turning 128 base OTs into any number of correlated OTs with a
 * global 128-bit delta, with the consistency check of Keller, Orsini, Scholl, "Actively
 * Secure OT Extension with Optimal Overhead", CRYPTO 2015 (eprint 2015/546, section 3 and
 * its Figure 7), so that a receiver that deviates cannot learn delta. The layers above turn
 * the correlated OTs into random OTs by hashing (with the correlation-robust hash of IKNP
 * replaced by the tweakable hash of tweakable-hash.ts, as Guo, Katz, Wang, Yu 2020
 * recommend; ole.ts, field-pads.ts).
 *
 * The extension sender holds delta and is the base-OT receiver with delta's bits as choices;
 * the extension receiver is the base-OT sender. For a batch of m OTs with choice bits r, the
 * receiver appends m' - m >= kappa + s OTs with random choices (m' a multiple of 32, the
 * transpose's block), stretches both seeds of base OT i with the PRG into columns t^i and
 * sends u^i = t^i ^ G(k_i^1) ^ r (16 bytes per OT); the sender computes q^i = G(k_i^{delta_i})
 * ^ delta_i * u^i = t^i ^ delta_i * r. Transposing both 128 x m' matrices gives, per OT j,
 *
 *     q_j (sender) and t_j = q_j ^ r_j * delta (receiver).
 *
 * A receiver that uses another choice vector in column i gets q_j ^ r_j delta ^ t_j =
 * delta_i e_i (e_i the unit vector) wherever the two vectors differ, so which of its two
 * candidate keys the sender holds tells it delta_i; one column per bit, it learns all of
 * delta and then both messages of every OT. The check: only once it has every column, the
 * sender sends a fresh 16-byte seed; both expand it with the PRG into chi_j in GF(2^128)
 * (gf128.ts); the receiver answers x = sum chi_j r_j and t = sum chi_j t_j; the sender checks
 * t = q + x delta with q = sum chi_j q_j, over all m' OTs, before any row leaves this module.
 * The multiplication is GF(2)-bilinear, so honest rows always pass.
 *
 * What holds (KOS15, section 3, the analysis of the check): against a malicious receiver,
 * a batch passes only if the receiver's columns are consistent except where it has guessed
 * bits of delta, and each guessed bit halves its chance to pass; a receiver that survives
 * with l guessed bits did so with probability 2^-l and still faces 128 - l unknown bits
 * (127 - l: delta's lowest bit is public, see below), which is the sense in which the
 * sender's delta stays secret. Whether a deviating receiver passes can depend on delta:
 * where delta_i = 0 the sender never sees column i's second seed, so a deviation confined
 * to column i is invisible and changes nothing; that is the guess, and it is inherent. After
 * a refusal the sender uses neither that batch's rows nor its delta again (delta is fresh
 * per session, so what an aborted session reveals about it is about a dead key).
 * s = 64 is the statistical parameter: x is uniform, and so hides the real choices from
 * the sender, unless the chi_j of the random-choice OTs fail to span GF(2)^128, which has
 * probability at most 2^-(m' - m - 128) <= 2^-64. The project's floor is 40 bits
 * (docs/PRIMITIVES.md); 64 costs 24 OTs more per batch than 40 on average (0 or 32 after the
 * padding to 32) and leaves margin, since the receiver whose choices it protects is the voter.
 *
 * What does not hold: a malicious *sender* is a separate matter. IKNP hides the receiver's
 * choices from any sender (u^i is masked by G(k_i^1), which the sender does not have), and
 * x is masked as above, but nothing here stops a sender from using a wrong delta or inconsistent
 * q_j in the layers above (selective failure through the OT messages): that is for the
 * layers above (MACs, issue 9). Extraction of the receiver's choices, which the simulation
 * proof of KOS15 needs from the base OT, is not given by the Chou-Orlandi base OT
 * (base-ot.ts); the check itself is sound regardless.
 *
 * Per batch: columns (receiver to sender, 16 bytes per OT of m'), challenge (sender to
 * receiver, 16 bytes), answer (receiver to sender, 32 bytes): one round trip more than
 * IKNP alone, and kappa + s = 192 OTs more. Each party keeps its extension state per
 * session and direction (the first use runs the 128 base OTs, about a quarter of a second),
 * so every later batch costs only PRG, transpose, the check and the columns.
 *
 * Delta has 127 free bits: its lowest bit is 1 so that it can serve as the free-XOR offset of
 * the garbled circuits, where that bit is the point-and-permute bit, as in emp-toolkit.
 */
import { baseOtReceive, baseOtSend } from './base-ot.js'
import { OtExtensionError } from './errors.js'
import { equal, innerProduct, multiply } from './gf128.js'
import { extensionChallenge, extensionCheck, extensionColumnBytes, extensionColumns } from './messages.js'
import { type MpcSession, receive, send } from './session.js'
import { AesCtrPrg } from './prg.js'
import { transpose128 } from './transpose.js'
import { BLOCK_BYTES, BLOCK_WORDS, bytesOf, packBits, wordsOf } from './words.js'
import { randomBytes } from 'node:crypto'

const KAPPA = 128
/** KOS15's statistical parameter s (see the module comment for the choice). */
export const STATISTICAL_SECURITY = 64
/** OTs with random choices that every batch appends for the check: kappa + s. */
export const CHECK_OTS = KAPPA + STATISTICAL_SECURITY

/** OTs in the matrix of a batch of `count`: those, then at least kappa + s with random choices, up to a multiple of 32. */
export function extendedCount(count: number): number {
  return Math.ceil((count + CHECK_OTS) / 32) * 32
}

/** chi_0 .. chi_{count-1} in GF(2^128), 4 words each: the PRG stream of the sender's seed. */
function challengeWeights(seed: Uint8Array, count: number): Uint32Array {
  return wordsOf(new AesCtrPrg(seed).next(BLOCK_BYTES * count))
}

/** This party's IKNP state as extension sender (holder of delta) in one direction. */
export class OtExtensionSender {
  /** Set once a batch failed the check: delta is never used again. */
  private refused = false

  private constructor(
    /** The global correlation, 4 words; its lowest bit is 1. */
    readonly delta: Uint32Array,
    private readonly prgs: AesCtrPrg[],
  ) {}

  static async setUp(session: MpcSession): Promise<OtExtensionSender> {
    const delta = wordsOf(randomBytes(16))
    delta[0] |= 1
    const choices = Uint8Array.from({ length: KAPPA }, (_, i) => (delta[i >>> 5] >>> (i & 31)) & 1)
    const seeds = await baseOtReceive(session, choices)
    return new OtExtensionSender(delta, seeds.map((seed) => new AesCtrPrg(seed)))
  }

  /**
   * q_j for `count` OTs (4 words each): receives the receiver's columns, challenges it and
   * returns the rows only if its answer passes the check. The peer runs
   * OtExtensionReceiver.extend with `count` choices.
   */
  async extend(session: MpcSession, count: number): Promise<Uint32Array> {
    if (this.refused) throw new OtExtensionError('the OT extension refused an earlier batch of this session')
    const extended = extendedCount(count)
    const rows = this.rowsFromColumns(await receive(session, extensionColumns, extended), extended)
    // The seed exists only now that every column is here: the receiver cannot fit them to chi.
    const seed = randomBytes(BLOCK_BYTES)
    await send(session, extensionChallenge, seed, undefined)
    const chis = challengeWeights(seed, extended)
    const q = innerProduct(chis, rows, extended)
    const { x, t } = await receive(session, extensionCheck, undefined)
    const xDelta = multiply(x, this.delta)
    for (let w = 0; w < BLOCK_WORDS; w++) q[w] ^= xDelta[w]
    if (!equal(t, q)) {
      this.refused = true
      throw new OtExtensionError('the OT-extension columns fail the consistency check')
    }
    return rows.subarray(0, BLOCK_WORDS * count)
  }

  private rowsFromColumns(received: Uint8Array, extended: number): Uint32Array {
    const columnBytes = extensionColumnBytes(extended) / KAPPA
    const columns = new Uint8Array(KAPPA * columnBytes)
    for (let i = 0; i < KAPPA; i++) {
      const u = received.subarray(i * columnBytes, (i + 1) * columnBytes)
      const deltaBit = (this.delta[i >>> 5] >>> (i & 31)) & 1
      columns.set(deltaBit === 1 ? this.prgs[i].mask(u) : this.prgs[i].next(columnBytes), i * columnBytes)
    }
    return transpose128(wordsOf(columns), columnBytes / 4)
  }
}

/** This party's IKNP state as extension receiver in one direction. */
export class OtExtensionReceiver {
  private constructor(
    private readonly zeroPrgs: AesCtrPrg[],
    private readonly onePrgs: AesCtrPrg[],
  ) {}

  static async setUp(session: MpcSession): Promise<OtExtensionReceiver> {
    const { zero, one } = await baseOtSend(session, KAPPA)
    return new OtExtensionReceiver(
      zero.map((seed) => new AesCtrPrg(seed)),
      one.map((seed) => new AesCtrPrg(seed)),
    )
  }

  /**
   * For choice bits r (one 0/1 byte each), the rows t_j = q_j ^ r_j * delta (4 words each):
   * sends the columns, answers the sender's challenge. The peer runs OtExtensionSender.extend.
   */
  async extend(session: MpcSession, choices: Uint8Array): Promise<Uint32Array> {
    if (choices.some((choice) => choice > 1)) throw new RangeError('a choice is 0 or 1')
    const extended = extendedCount(choices.length)
    const all = new Uint8Array(extended)
    all.set(choices)
    const random = randomBytes(extended - choices.length)
    for (let j = choices.length; j < extended; j++) all[j] = random[j - choices.length] & 1
    const { columns, rows } = this.columnsAndRows(all)
    await send(session, extensionColumns, columns, extended)
    const chis = challengeWeights(await receive(session, extensionChallenge, undefined), extended)
    const x = new Uint32Array(BLOCK_WORDS)
    for (let j = 0; j < extended; j++) {
      // A mask rather than a branch on the choice bit.
      const mask = -all[j]
      for (let w = 0; w < BLOCK_WORDS; w++) x[w] ^= chis[BLOCK_WORDS * j + w] & mask
    }
    await send(session, extensionCheck, { x, t: innerProduct(chis, rows, extended) }, undefined)
    return rows.subarray(0, BLOCK_WORDS * choices.length)
  }

  private columnsAndRows(choices: Uint8Array): { columns: Uint8Array; rows: Uint32Array } {
    const columnBytes = extensionColumnBytes(choices.length) / KAPPA
    const columnWords = columnBytes / 4
    const packed = packBits(choices, 8 * columnBytes)
    const rowsColumns = new Uint32Array(KAPPA * columnWords)
    const rowsColumnsBytes = bytesOf(rowsColumns)
    const columns = new Uint8Array(KAPPA * columnBytes)
    const masked = new Uint32Array(columnWords)
    for (let i = 0; i < KAPPA; i++) {
      rowsColumnsBytes.set(this.zeroPrgs[i].next(columnBytes), i * columnBytes)
      const base = i * columnWords
      for (let w = 0; w < columnWords; w++) masked[w] = rowsColumns[base + w] ^ packed[w]
      columns.set(this.onePrgs[i].mask(bytesOf(masked)), i * columnBytes)
    }
    return { columns, rows: transpose128(rowsColumns, columnWords) }
  }
}

interface Extensions {
  sender?: OtExtensionSender
  receiver?: OtExtensionReceiver
}

const extensions = new WeakMap<MpcSession, Extensions>()

function extensionsOf(session: MpcSession): Extensions {
  let state = extensions.get(session)
  if (state === undefined) {
    state = {}
    extensions.set(session, state)
  }
  return state
}

/** This party's extension-sender state for the session, running the base OTs on first use. */
export async function otExtensionSender(session: MpcSession): Promise<OtExtensionSender> {
  const state = extensionsOf(session)
  state.sender ??= await OtExtensionSender.setUp(session)
  return state.sender
}

/** This party's extension-receiver state for the session, running the base OTs on first use. */
export async function otExtensionReceiver(session: MpcSession): Promise<OtExtensionReceiver> {
  const state = extensionsOf(session)
  state.receiver ??= await OtExtensionReceiver.setUp(session)
  return state.receiver
}

export interface CorrelatedOtSenderOutput {
  /** The global correlation, 4 words; its lowest bit is 1. */
  delta: Uint32Array
  /** q_j, 4 words per OT: the receiver holds q_j ^ r_j * delta. */
  messages: Uint32Array
}

/**
 * Correlated OT as the layers above OT use it (the garbled two-party protocol), the
 * interface of emp-ot's COT: per call, `count` OTs with the direction's one delta. Both
 * parties call in the same order, one side `send` and the other `receive` with as many
 * choices. `iknpCorrelatedOt` is the product's; test/mpc/helpers/ideal-cot.ts is an ideal
 * functionality that tests the layers above alone.
 */
export interface CorrelatedOt {
  send(count: number): Promise<CorrelatedOtSenderOutput>
  /** q_j ^ r_j * delta for each choice r_j (one 0/1 byte each), 4 words per OT. */
  receive(choices: Uint8Array): Promise<Uint32Array>
}

/** IKNP correlated OT with the KOS15 check over the session: three messages per call (columns, challenge, answer). */
export function iknpCorrelatedOt(session: MpcSession): CorrelatedOt {
  return {
    send: (count) => correlatedOtSend(session, count),
    receive: (choices) => correlatedOtReceive(session, choices),
  }
}

/**
 * Sender side of `count` correlated OTs. The peer calls correlatedOtReceive with `count`
 * choices. Delta is the same for every call in this session and direction. Rejects with
 * OtExtensionError, and returns no row, when the receiver fails the consistency check.
 */
export async function correlatedOtSend(session: MpcSession, count: number): Promise<CorrelatedOtSenderOutput> {
  const sender = await otExtensionSender(session)
  return { delta: sender.delta, messages: await sender.extend(session, count) }
}

/** Receiver side: q_j ^ r_j * delta for each choice r_j (one 0/1 byte each), 4 words per OT. */
export async function correlatedOtReceive(session: MpcSession, choices: Uint8Array): Promise<Uint32Array> {
  const receiver = await otExtensionReceiver(session)
  return receiver.extend(session, choices)
}
