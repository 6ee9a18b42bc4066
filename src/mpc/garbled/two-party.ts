/**
 * Yao's protocol with the garbler and evaluator roles, semi-honest (Yao 1986; Lindell,
 * Pinkas, "A Proof of Security of Yao's Protocol for Two-Party Computation", JoC 2009).
 *
 * The evaluator's input labels come from IKNP correlated OT in which the garbler is the OT
 * sender: its delta is the free-XOR delta, and its q_j is the zero label of evaluator input
 * j, so the evaluator's t_j = q_j ^ x_j * delta is exactly the label of its bit and no
 * further OT message is needed (the approach of emp-toolkit's semi-honest 2PC). The garbler
 * sends its own input labels and the tables in one message:
 *
 *     evaluator -> garbler: IKNP columns, 16 bytes per evaluator input bit
 *     garbler -> evaluator: 16 bytes per garbler input bit, 32 bytes per AND gate,
 *                           plus ceil(outputs / 8) decoding bytes when the evaluator learns
 *                           the output
 *     evaluator -> garbler: ceil(outputs / 8) bytes when the garbler learns the output
 *
 * Output: with 'xor-shared', the garbler's share of output bit i is lsb(Z0_i) and the
 * evaluator's is lsb(Z_i) (they differ exactly by the value, as lsb(delta) = 1), and nothing
 * is sent; otherwise one party sends its lsb bits to the other.
 */
import { randomFillSync } from 'node:crypto'
import { ChannelError } from '../channel.js'
import { correlatedOtReceive, correlatedOtSend } from '../ot-extension.js'
import { type MpcSession, MessageTag, receiveMessage, reserveTweaks, sendMessage, sessionHash } from '../session.js'
import { BLOCK_BYTES, BLOCK_WORDS, bytesOf, wordsOf } from '../words.js'
import type { Circuit } from './circuit.js'
import { TABLE_WORDS, evaluate, garble } from './half-gates.js'

/** Who learns the outputs: both hold XOR shares, or one party learns them in the clear. */
export type OutputMode = 'xor-shared' | 'to-garbler' | 'to-evaluator'

function packBitsToBytes(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => (out[i >>> 3] |= bit << (i & 7)))
  return out
}

function unpackBytesToBits(bytes: Uint8Array, count: number): Uint8Array {
  if (count % 8 !== 0 && bytes[bytes.length - 1] >>> count % 8 !== 0) {
    throw new ChannelError('MALFORMED', 'padding bits of an output message are set')
  }
  return Uint8Array.from({ length: count }, (_, i) => (bytes[i >>> 3] >>> (i & 7)) & 1)
}

function lsbs(labels: Uint32Array): Uint8Array {
  return Uint8Array.from({ length: labels.length / BLOCK_WORDS }, (_, i) => labels[BLOCK_WORDS * i] & 1)
}

function garbledMessageBytes(circuit: Circuit, mode: OutputMode): number {
  const decoding = mode === 'to-evaluator' ? Math.ceil(circuit.outputs.length / 8) : 0
  return BLOCK_BYTES * circuit.garblerInputCount + 4 * TABLE_WORDS * circuit.andCount + decoding
}

function assertInputs(bits: Uint8Array, expected: number): void {
  if (bits.length !== expected) throw new RangeError(`expected ${expected} input bits, got ${bits.length}`)
  if (bits.some((bit) => bit > 1)) throw new RangeError('an input bit is 0 or 1')
}

/**
 * The garbler's side. Returns its output shares ('xor-shared'), the outputs
 * ('to-garbler'), or nothing ('to-evaluator').
 */
export async function runGarbler(session: MpcSession, circuit: Circuit, inputs: Uint8Array, mode: OutputMode): Promise<Uint8Array> {
  assertInputs(inputs, circuit.garblerInputCount)
  const { delta, messages } = await correlatedOtSend(session, circuit.evaluatorInputCount)
  const firstTweak = reserveTweaks(session, circuit.andCount)
  const garblerZeroLabels = new Uint32Array(BLOCK_WORDS * circuit.garblerInputCount)
  randomFillSync(garblerZeroLabels)
  const inputZeroLabels = new Uint32Array(garblerZeroLabels.length + messages.length)
  inputZeroLabels.set(garblerZeroLabels)
  inputZeroLabels.set(messages, garblerZeroLabels.length)
  const { tables, outputZeroLabels } = garble(circuit, sessionHash(session), firstTweak, delta, inputZeroLabels)
  const message = new Uint8Array(garbledMessageBytes(circuit, mode))
  const activeLabels = wordsOf(message.subarray(0, BLOCK_BYTES * circuit.garblerInputCount))
  for (let w = 0; w < activeLabels.length; w++) {
    activeLabels[w] = garblerZeroLabels[w] ^ (-inputs[w >>> 2] & delta[w & 3])
  }
  message.set(bytesOf(tables), activeLabels.byteLength)
  const permuteBits = lsbs(outputZeroLabels)
  if (mode === 'to-evaluator') message.set(packBitsToBytes(permuteBits), activeLabels.byteLength + tables.byteLength)
  await sendMessage(session, MessageTag.garbledCircuit, message)
  if (mode === 'xor-shared') return permuteBits
  if (mode === 'to-evaluator') return new Uint8Array(0)
  const peerBytes = await receiveMessage(session, MessageTag.outputBits, Math.ceil(permuteBits.length / 8))
  const peerBits = unpackBytesToBits(peerBytes, permuteBits.length)
  return permuteBits.map((bit, i) => bit ^ peerBits[i])
}

/**
 * The evaluator's side. Returns its output shares ('xor-shared'), the outputs
 * ('to-evaluator'), or nothing ('to-garbler').
 */
export async function runEvaluator(session: MpcSession, circuit: Circuit, inputs: Uint8Array, mode: OutputMode): Promise<Uint8Array> {
  assertInputs(inputs, circuit.evaluatorInputCount)
  const evaluatorLabels = await correlatedOtReceive(session, inputs)
  const firstTweak = reserveTweaks(session, circuit.andCount)
  const message = await receiveMessage(session, MessageTag.garbledCircuit, garbledMessageBytes(circuit, mode))
  const garblerLabelBytes = BLOCK_BYTES * circuit.garblerInputCount
  const inputLabels = new Uint32Array(BLOCK_WORDS * (circuit.garblerInputCount + circuit.evaluatorInputCount))
  inputLabels.set(wordsOf(message.subarray(0, garblerLabelBytes)))
  inputLabels.set(evaluatorLabels, BLOCK_WORDS * circuit.garblerInputCount)
  const tables = wordsOf(message.subarray(garblerLabelBytes, garblerLabelBytes + 4 * TABLE_WORDS * circuit.andCount))
  const outputBits = lsbs(evaluate(circuit, sessionHash(session), firstTweak, inputLabels, tables))
  if (mode === 'xor-shared') return outputBits
  if (mode === 'to-garbler') {
    await sendMessage(session, MessageTag.outputBits, packBitsToBytes(outputBits))
    return new Uint8Array(0)
  }
  const decoding = unpackBytesToBits(message.subarray(garblerLabelBytes + tables.byteLength), outputBits.length)
  return outputBits.map((bit, i) => bit ^ decoding[i])
}
