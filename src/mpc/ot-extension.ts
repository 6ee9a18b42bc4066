/**
 * OT extension: Ishai, Kilian, Nissim, Petrank, "Extending Oblivious Transfers
 * Efficiently", CRYPTO 2003, turning 128 base OTs into any number of correlated
 * OTs with a global 128-bit delta. The layers above turn them into random OTs by hashing
 * (with the correlation-robust hash of IKNP replaced by the tweakable hash of
 * tweakable-hash.ts, as Guo, Katz, Wang, Yu 2020 recommend; ole.ts, field-pads.ts).
 *
 * The extension sender holds delta and is the base-OT receiver with delta's bits as choices;
 * the extension receiver is the base-OT sender. For a batch of m OTs with choice bits r, the
 * receiver stretches both seeds of base OT i with the PRG into columns t^i and sends
 * u^i = t^i ^ G(k_i^1) ^ r (16 bytes per OT); the sender computes q^i = G(k_i^{delta_i}) ^
 * delta_i * u^i = t^i ^ delta_i * r. Transposing both 128 x m matrices gives, per OT j,
 *
 *     q_j (sender) and t_j = q_j ^ r_j * delta (receiver).
 *
 * One message per batch, receiver to sender. Each party keeps its extension state per
 * session and direction (the first use runs the 128 base OTs, about a quarter of a second), so every
 * later batch costs only PRG, transpose and the u columns.
 *
 * Security: semi-honest, 128-bit computational (delta has 127 free bits; its lowest bit is 1
 * so that it can serve as the free-XOR offset of the garbled circuits, where that bit is the
 * point-and-permute bit, as in emp-toolkit). A malicious receiver could send inconsistent
 * columns and learn bits of delta; the two places marked SEAM below are where the KOS15
 * consistency check (Keller, Orsini, Scholl, "Actively Secure OT Extension with Optimal
 * Overhead", CRYPTO 2015) or SoftSpoken's (Roy, CRYPTO 2022) goes: the receiver extends by 128 + 40 extra OTs and sends
 * chi-weighted sums of its rows and choices over GF(2^128) for chi from a joint coin toss;
 * the sender checks them against its rows and delta before any row is used.
 */
import { baseOtReceive, baseOtSend } from './base-ot.js'
import { extensionColumnBytes, extensionColumns } from './messages.js'
import { type MpcSession, receive, send } from './session.js'
import { AesCtrPrg } from './prg.js'
import { transpose128 } from './transpose.js'
import { BLOCK_WORDS, bytesOf, packBits, wordsOf } from './words.js'
import { randomBytes } from 'node:crypto'

const KAPPA = 128

/** This party's IKNP state as extension sender (holder of delta) in one direction. */
export class OtExtensionSender {
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

  /** q_j for `count` OTs (4 words each) from the receiver's columns message. */
  rowsFromColumns(received: Uint8Array, count: number): Uint32Array {
    const columnBytes = extensionColumnBytes(count) / KAPPA
    // SEAM(KOS15/SoftSpoken): verify the receiver's consistency check here, before using q.
    const columns = new Uint8Array(KAPPA * columnBytes)
    for (let i = 0; i < KAPPA; i++) {
      const u = received.subarray(i * columnBytes, (i + 1) * columnBytes)
      const deltaBit = (this.delta[i >>> 5] >>> (i & 31)) & 1
      columns.set(deltaBit === 1 ? this.prgs[i].mask(u) : this.prgs[i].next(columnBytes), i * columnBytes)
    }
    return transpose128(wordsOf(columns), columnBytes / 4).subarray(0, BLOCK_WORDS * count)
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
   * For choice bits r (one 0/1 byte each): the columns message u for the sender and the rows
   * t_j = q_j ^ r_j * delta (4 words each).
   */
  columnsAndRows(choices: Uint8Array): { columns: Uint8Array; rows: Uint32Array } {
    if (choices.some((choice) => choice > 1)) throw new RangeError('a choice is 0 or 1')
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
    // SEAM(KOS15/SoftSpoken): append the consistency check to the columns here.
    return { columns, rows: transpose128(rowsColumns, columnWords).subarray(0, BLOCK_WORDS * choices.length) }
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

/** IKNP correlated OT over the session: one columns message per call, receiver to sender. */
export function iknpCorrelatedOt(session: MpcSession): CorrelatedOt {
  return {
    send: (count) => correlatedOtSend(session, count),
    receive: (choices) => correlatedOtReceive(session, choices),
  }
}

/**
 * Sender side of `count` correlated OTs. The peer calls correlatedOtReceive with `count`
 * choices. Delta is the same for every call in this session and direction.
 */
export async function correlatedOtSend(session: MpcSession, count: number): Promise<CorrelatedOtSenderOutput> {
  const sender = await otExtensionSender(session)
  const columns = await receive(session, extensionColumns, count)
  return { delta: sender.delta, messages: sender.rowsFromColumns(columns, count) }
}

/** Receiver side: q_j ^ r_j * delta for each choice r_j (one 0/1 byte each), 4 words per OT. */
export async function correlatedOtReceive(session: MpcSession, choices: Uint8Array): Promise<Uint32Array> {
  const receiver = await otExtensionReceiver(session)
  const { columns, rows } = receiver.columnsAndRows(choices)
  await send(session, extensionColumns, columns, choices.length)
  return rows
}
