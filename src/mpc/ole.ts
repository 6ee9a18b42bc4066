/**
 * Oblivious linear evaluation over F_r by OT: Gilboa, "Two Party RSA Key Generation",
 * CRYPTO 1999. The OT sender holds x, the receiver holds y < 2^bits; they end with
 * additive shares of x * y. For each bit y_i the parties run one OT in which the receiver
 * learns s_i + y_i * x * 2^i; the sender keeps -sum s_i.
 *
 * Each OT is a correlated OT from IKNP (ot-extension.ts) turned into a random OT over F_r by
 * hashing: the sender's messages are p0 = H_F(q_j) and p1 = H_F(q_j ^ delta), the receiver
 * gets H_F(t_j) = p_{y_i} (field-pads.ts). The sender then sends ONE correction per OT,
 *
 *     tau_j = p0 - p1 + x * 2^i,
 *
 * and the receiver adds it when y_i = 1 (p1 + tau_j = p0 + x * 2^i). The zero message is the
 * hash itself and the one message is fixed by tau, so a product costs `bits` OTs of 16 bytes
 * (the IKNP column bits) plus `bits` corrections of 32 bytes: 12,192 bytes at 254 bits. This
 * derandomisation of a random OT with one correction is the standard one, e.g. Keller,
 * Orsini, Scholl, "MASCOT", CCS 2016. x * 2^i is a doubling per bit, so no field
 * multiplication runs per OT, and all arithmetic is on 32-bit limbs (field-limbs.ts).
 *
 * Both directions run in the same two messages (bidirectionalOle): each party sends its IKNP
 * columns for the products where it is OT receiver, then its corrections for those where it
 * is OT sender. With work in both directions, both parties compute at the same time instead
 * of waiting on each other; a direction with no products sends nothing.
 *
 * Security: semi-honest, as the OT extension beneath it; each tau_j is masked by the pad the
 * receiver does not hold, which is uniform in F_r.
 */
import { ChannelError } from './channel.js'
import { FIELD_BITS, FIELD_MODULUS, fieldNeg, fieldReduce } from './field.js'
import {
  FIELD_LIMBS,
  bigintFromLimbs,
  doubleModInPlace,
  isBelowModulus,
  limbsFromBigint,
  writeCorrection,
} from './field-limbs.js'
import { hashToFieldLimbs } from './field-pads.js'
import {
  type OtExtensionReceiver,
  type OtExtensionSender,
  extensionColumnBytes,
  otExtensionReceiver,
  otExtensionSender,
} from './ot-extension.js'
import { type MpcSession, MessageTag, exchangeMessages, reserveTweaks, sessionHash } from './session.js'
import type { TweakableHash } from './tweakable-hash.js'
import { BLOCK_WORDS, bytesOf, wordsOf } from './words.js'

/**
 * OTs per direction per round trip: larger vectors run in several batches, so a party never
 * holds more than about 24 MB of OT rows, pads and corrections at once.
 */
const MAX_BATCH_OTS = 1 << 18
/** OTs hashed per pass: the pads and their scratch stay in the CPU cache. */
const CHUNK_OTS = 2048

export interface OleOptions {
  /** The party that acts as OT sender and contributes the full-width factor; 0 by default. */
  otSender?: 0 | 1
  /** Bit width of the receiver's factors (default 254, all of F_r); fewer bits, fewer OTs. */
  receiverBits?: number
}

export interface BidirectionalOleShares {
  /** Shares of senderValues[k] times the peer's receiverValues[k]. */
  asSender: bigint[]
  /** Shares of the peer's senderValues[k] times receiverValues[k]. */
  asReceiver: bigint[]
}

/**
 * Additive shares of values[k] (this party) times the peer's values[k], for every k. Both
 * parties call it with vectors of the same length and the same options; the OT receiver's
 * values must be below 2^receiverBits.
 */
export async function oleMultiply(session: MpcSession, values: readonly bigint[], options: OleOptions = {}): Promise<bigint[]> {
  const isSender = session.party === (options.otSender ?? 0)
  const shares = await bidirectionalOle(session, isSender ? values : [], isSender ? [] : values, options.receiverBits)
  return isSender ? shares.asSender : shares.asReceiver
}

/**
 * OLE in both directions at once: this party is OT sender for `senderValues` (times the
 * peer's receiverValues) and OT receiver for `receiverValues` (times the peer's
 * senderValues). The peer's receiverValues must have as many entries as this party's
 * senderValues and the other way round. Two messages each way per batch of MAX_BATCH_OTS
 * OTs per direction.
 */
export async function bidirectionalOle(
  session: MpcSession,
  senderValues: readonly bigint[],
  receiverValues: readonly bigint[],
  receiverBits: number = FIELD_BITS,
): Promise<BidirectionalOleShares> {
  if (!Number.isInteger(receiverBits) || receiverBits < 1 || receiverBits > FIELD_BITS) {
    throw new RangeError(`receiverBits is in [1, ${FIELD_BITS}]`)
  }
  for (const value of [...senderValues, ...receiverValues]) {
    if (value < 0n || value >= FIELD_MODULUS) throw new RangeError('an OLE input is not a field element')
  }
  for (const value of receiverValues) {
    if (value >> BigInt(receiverBits) !== 0n) throw new RangeError(`an OLE receiver input exceeds ${receiverBits} bits`)
  }
  const shares: BidirectionalOleShares = { asSender: [], asReceiver: [] }
  const perBatch = Math.max(1, Math.floor(MAX_BATCH_OTS / receiverBits))
  for (let first = 0; first < Math.max(senderValues.length, receiverValues.length); first += perBatch) {
    const batch = await runBatch(
      session,
      senderValues.slice(first, first + perBatch),
      receiverValues.slice(first, first + perBatch),
      receiverBits,
    )
    shares.asSender.push(...batch.asSender)
    shares.asReceiver.push(...batch.asReceiver)
  }
  return shares
}

async function runBatch(
  session: MpcSession,
  senderValues: readonly bigint[],
  receiverValues: readonly bigint[],
  bits: number,
): Promise<BidirectionalOleShares> {
  const sendOts = senderValues.length * bits
  const receiveOts = receiverValues.length * bits
  // Both parties set up and use the directions in the same order: party 0 as sender first.
  const ownDirectionFirst = session.party === 0
  let sender: OtExtensionSender | undefined
  let receiver: OtExtensionReceiver | undefined
  for (const asSender of ownDirectionFirst ? [true, false] : [false, true]) {
    if (asSender && sendOts > 0) sender = await otExtensionSender(session)
    if (!asSender && receiveOts > 0) receiver = await otExtensionReceiver(session)
  }
  const choices = choiceBits(receiverValues, bits)
  const { columns, rows }: { columns: Uint8Array; rows: Uint32Array } = receiver?.columnsAndRows(choices) ?? {
    columns: new Uint8Array(0),
    rows: new Uint32Array(0),
  }
  const peerColumns = await exchangeMessages(session, MessageTag.otExtensionColumns, columns, extensionColumnBytes(sendOts))
  const firstDirection = reserveTweaks(session, ownDirectionFirst ? sendOts : receiveOts)
  const secondDirection = reserveTweaks(session, ownDirectionFirst ? receiveOts : sendOts)
  const [senderTweak, receiverTweak] = ownDirectionFirst ? [firstDirection, secondDirection] : [secondDirection, firstDirection]
  const hash = sessionHash(session)

  const outgoing = new Uint32Array(FIELD_LIMBS * sendOts)
  const asSender =
    sender === undefined
      ? []
      : sendCorrections(hash, sender.delta, sender.rowsFromColumns(peerColumns, sendOts), senderValues, bits, senderTweak, outgoing)
  const pads = new Uint32Array(FIELD_LIMBS * receiveOts)
  for (let first = 0; first < receiveOts; first += CHUNK_OTS) {
    const keys = rows.subarray(BLOCK_WORDS * first, BLOCK_WORDS * Math.min(receiveOts, first + CHUNK_OTS))
    pads.set(hashToFieldLimbs(hash, keys, receiverTweak + first), FIELD_LIMBS * first)
  }

  const incoming = await exchangeMessages(session, MessageTag.oleCorrections, bytesOf(outgoing), 4 * FIELD_LIMBS * receiveOts)
  const asReceiver = receiveCorrections(pads, wordsOf(incoming), choices, receiverValues.length, bits)
  return { asSender, asReceiver }
}

/** The bits of each value, LSB first, `bits` per value: the receiver's OT choices. */
function choiceBits(values: readonly bigint[], bits: number): Uint8Array {
  const choices = new Uint8Array(values.length * bits)
  const limbs = new Uint32Array(FIELD_LIMBS)
  values.forEach((value, k) => {
    limbsFromBigint(value, limbs, 0)
    for (let i = 0; i < bits; i++) choices[k * bits + i] = (limbs[i >>> 5] >>> (i & 31)) & 1
  })
  return choices
}

/** Writes the sender's corrections into `corrections` and returns its shares. */
function sendCorrections(
  hash: TweakableHash,
  delta: Uint32Array,
  rows: Uint32Array,
  values: readonly bigint[],
  bits: number,
  firstTweak: number,
  corrections: Uint32Array,
): bigint[] {
  const shifted = new Uint32Array(FIELD_LIMBS)
  const sum = new Float64Array(FIELD_LIMBS)
  const shares = new Array<bigint>(values.length)
  const valuesPerChunk = Math.max(1, Math.floor(CHUNK_OTS / bits))
  for (let firstValue = 0; firstValue < values.length; firstValue += valuesPerChunk) {
    const endValue = Math.min(values.length, firstValue + valuesPerChunk)
    const zeroKeys = rows.subarray(BLOCK_WORDS * firstValue * bits, BLOCK_WORDS * endValue * bits)
    const oneKeys = new Uint32Array(zeroKeys.length)
    for (let w = 0; w < zeroKeys.length; w++) oneKeys[w] = zeroKeys[w] ^ delta[w & 3]
    const zeroPads = hashToFieldLimbs(hash, zeroKeys, firstTweak + firstValue * bits)
    const onePads = hashToFieldLimbs(hash, oneKeys, firstTweak + firstValue * bits)
    for (let k = firstValue; k < endValue; k++) {
      limbsFromBigint(values[k], shifted, 0)
      sum.fill(0)
      for (let i = 0; i < bits; i++) {
        const pad = FIELD_LIMBS * ((k - firstValue) * bits + i)
        writeCorrection(corrections, FIELD_LIMBS * (k * bits + i), zeroPads, onePads, pad, shifted)
        for (let l = 0; l < FIELD_LIMBS; l++) sum[l] += zeroPads[pad + l]
        doubleModInPlace(shifted, 0)
      }
      shares[k] = fieldNeg(fieldReduce(bigintFromLimbs(sum, 0)))
    }
  }
  return shares
}

/** The receiver's shares: the sum of its pads, plus the correction where its bit is 1. */
function receiveCorrections(
  pads: Uint32Array,
  corrections: Uint32Array,
  choices: Uint8Array,
  count: number,
  bits: number,
): bigint[] {
  for (let at = 0; at < corrections.length; at += FIELD_LIMBS) {
    if (!isBelowModulus(corrections, at)) throw new ChannelError('MALFORMED', 'an OLE correction is not below r')
  }
  const sum = new Float64Array(FIELD_LIMBS)
  const shares = new Array<bigint>(count)
  for (let k = 0; k < count; k++) {
    sum.fill(0)
    for (let j = k * bits; j < (k + 1) * bits; j++) {
      // Multiplying by the choice bit instead of branching on it: the bits are random.
      const choice = choices[j]
      const at = FIELD_LIMBS * j
      for (let l = 0; l < FIELD_LIMBS; l++) sum[l] += pads[at + l] + choice * corrections[at + l]
    }
    shares[k] = fieldReduce(bigintFromLimbs(sum, 0))
  }
  return shares
}
