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
 * One batch is the OT extension's three messages (the OT receiver's IKNP columns, the
 * sender's challenge, the receiver's answer to the KOS15 check; ot-extension.ts), then the
 * sender's corrections (messages.ts); the receiver hashes its pads while the sender computes
 * the corrections. No correction is computed from rows that failed the check.
 *
 * Security: each tau_j is masked by the pad the receiver does not hold, which is uniform in
 * F_r as long as the receiver does not know delta, which the check ensures against a
 * malicious OT receiver. Against a malicious OT sender (wrong corrections) it is semi-honest:
 * the additive attack on the product is for MACs and sacrifice (triples.ts).
 */
import { Fr } from '../crypto/field.js'
import { FIELD_LIMBS, bigintFromLimbs, doubleModInPlace, limbsFromBigint, writeCorrection } from './field-limbs.js'
import { hashToFieldLimbs } from './field-pads.js'
import { oleCorrections } from './messages.js'
import { otExtensionReceiver, otExtensionSender } from './ot-extension.js'
import { type MpcSession, type Party, receive, reserveTweaks, send, sessionHash } from './session.js'
import type { TweakableHash } from './tweakable-hash.js'
import { BLOCK_WORDS } from './words.js'

/**
 * OTs per batch: larger vectors run in several batches, so a party never
 * holds more than about 24 MB of OT rows, pads and corrections at once.
 */
const MAX_BATCH_OTS = 1 << 18
/** OTs hashed per pass: the pads and their scratch stay in the CPU cache. */
const CHUNK_OTS = 2048

export interface OleOptions {
  /** The party that acts as OT sender and contributes the full-width factor; party 0 by default. */
  otSender?: Party
  /** Bit width of the receiver's factors (default 254, all of F_r); fewer bits, fewer OTs. */
  receiverBits?: number
}

/**
 * Additive shares of values[k] (this party) times the peer's values[k], for every k. Both
 * parties call it with vectors of the same length and the same options; the OT receiver's
 * values must be below 2^receiverBits. Two messages per batch of MAX_BATCH_OTS OTs.
 */
export async function oleMultiply(session: MpcSession, values: readonly bigint[], options: OleOptions = {}): Promise<bigint[]> {
  const bits = options.receiverBits ?? Fr.BITS
  if (!Number.isInteger(bits) || bits < 1 || bits > Fr.BITS) throw new RangeError(`receiverBits is in [1, ${Fr.BITS}]`)
  for (const value of values) {
    if (value < 0n || value >= Fr.ORDER) throw new RangeError('an OLE input is not a field element')
  }
  const isSender = session.party === (options.otSender ?? 0)
  if (!isSender) {
    for (const value of values) {
      if (value >> BigInt(bits) !== 0n) throw new RangeError(`an OLE receiver input exceeds ${bits} bits`)
    }
  }
  const shares: bigint[] = []
  const perBatch = Math.max(1, Math.floor(MAX_BATCH_OTS / bits))
  for (let first = 0; first < values.length; first += perBatch) {
    const batch = values.slice(first, first + perBatch)
    shares.push(...(isSender ? await sendBatch(session, batch, bits) : await receiveBatch(session, batch, bits)))
  }
  return shares
}

async function sendBatch(session: MpcSession, values: readonly bigint[], bits: number): Promise<bigint[]> {
  const ots = values.length * bits
  const sender = await otExtensionSender(session)
  const rows = await sender.extend(session, ots)
  const firstTweak = reserveTweaks(session, ots)
  const corrections = new Uint32Array(FIELD_LIMBS * ots)
  const shares = sendCorrections(sessionHash(session), sender.delta, rows, values, bits, firstTweak, corrections)
  await send(session, oleCorrections, corrections, ots)
  return shares
}

async function receiveBatch(session: MpcSession, values: readonly bigint[], bits: number): Promise<bigint[]> {
  const ots = values.length * bits
  const receiver = await otExtensionReceiver(session)
  const choices = choiceBits(values, bits)
  const rows = await receiver.extend(session, choices)
  const firstTweak = reserveTweaks(session, ots)
  const hash = sessionHash(session)
  const pads = new Uint32Array(FIELD_LIMBS * ots)
  for (let first = 0; first < ots; first += CHUNK_OTS) {
    const keys = rows.subarray(BLOCK_WORDS * first, BLOCK_WORDS * Math.min(ots, first + CHUNK_OTS))
    pads.set(hashToFieldLimbs(hash, keys, firstTweak + first), FIELD_LIMBS * first)
  }
  return receiveCorrections(pads, await receive(session, oleCorrections, ots), choices, values.length, bits)
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
      shares[k] = Fr.neg(Fr.create(bigintFromLimbs(sum, 0)))
    }
  }
  return shares
}

/** The receiver's shares: the sum of its pads, plus the correction (decoded, so below r) where its bit is 1. */
function receiveCorrections(
  pads: Uint32Array,
  corrections: Uint32Array,
  choices: Uint8Array,
  count: number,
  bits: number,
): bigint[] {
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
    shares[k] = Fr.create(bigintFromLimbs(sum, 0))
  }
  return shares
}
