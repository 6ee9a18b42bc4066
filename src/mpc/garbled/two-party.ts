/**
 * Yao's protocol with the garbler and evaluator roles, semi-honest (Yao 1986; Lindell,
 * Pinkas, "A Proof of Security of Yao's Protocol for Two-Party Computation", JoC 2009).
 *
 * The evaluator's input labels come from correlated OT (IKNP, or any CorrelatedOt of
 * ot-extension.ts) in which the garbler is the OT sender: its delta is the free-XOR delta,
 * and its q_j is the zero label of evaluator input j, so the evaluator's
 * t_j = q_j ^ x_j * delta is exactly the label of its bit and no further OT message is
 * needed (the approach of emp-toolkit's semi-honest 2PC). The garbler sends its own input labels and the tables in one message (messages.ts):
 *
 *     evaluator -> garbler: IKNP columns, 16 bytes per evaluator input bit and per extra OT
 *                           of the KOS15 check (ot-extension.ts), which then sends a 16-byte
 *                           challenge back and takes a 32-byte answer before any label is used
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
import { type CorrelatedOt, iknpCorrelatedOt } from '../ot-extension.js'
import { type MpcSession, receive, reserveTweaks, send, sessionHash } from '../session.js'
import { BLOCK_WORDS } from '../words.js'
import type { Circuit } from './circuit.js'
import { evaluate, garble } from './half-gates.js'
import { type GarbledCircuit, garbledCircuit, outputBits } from './messages.js'

/** Who learns the outputs: both hold XOR shares, or one party learns them in the clear. */
export type OutputMode = 'xor-shared' | 'to-garbler' | 'to-evaluator'

/** The two roles of one garbled circuit; which party takes which is the caller's choice. */
export type GcRole = 'garbler' | 'evaluator'

function lsbs(labels: Uint32Array): Uint8Array {
  return Uint8Array.from({ length: labels.length / BLOCK_WORDS }, (_, i) => labels[BLOCK_WORDS * i] & 1)
}

function assertInputs(bits: Uint8Array, expected: number): void {
  if (bits.length !== expected) throw new RangeError(`expected ${expected} input bits, got ${bits.length}`)
  if (bits.some((bit) => bit > 1)) throw new RangeError('an input bit is 0 or 1')
}

/**
 * The garbler's step, without I/O: from the COT output (delta, and q_j as the zero labels of
 * the evaluator's inputs) the message for the evaluator and the permute bits of the outputs.
 */
function garbleMessage(
  session: MpcSession,
  circuit: Circuit,
  inputs: Uint8Array,
  mode: OutputMode,
  { delta, messages }: { delta: Uint32Array; messages: Uint32Array },
): { message: GarbledCircuit; permuteBits: Uint8Array } {
  const firstTweak = reserveTweaks(session, circuit.andCount)
  const garblerZeroLabels = new Uint32Array(BLOCK_WORDS * circuit.garblerInputCount)
  randomFillSync(garblerZeroLabels)
  const inputZeroLabels = new Uint32Array(garblerZeroLabels.length + messages.length)
  inputZeroLabels.set(garblerZeroLabels)
  inputZeroLabels.set(messages, garblerZeroLabels.length)
  const { tables, outputZeroLabels } = garble(circuit, sessionHash(session), firstTweak, delta, inputZeroLabels)
  const garblerLabels = new Uint32Array(garblerZeroLabels.length)
  for (let w = 0; w < garblerLabels.length; w++) garblerLabels[w] = garblerZeroLabels[w] ^ (-inputs[w >>> 2] & delta[w & 3])
  const permuteBits = lsbs(outputZeroLabels)
  return { message: { garblerLabels, tables, decoding: mode === 'to-evaluator' ? permuteBits : new Uint8Array(0) }, permuteBits }
}

/**
 * The garbler's side. Returns its output shares ('xor-shared'), the outputs
 * ('to-garbler'), or nothing ('to-evaluator'). `ot` gives the evaluator's labels, the
 * garbler being its sender: IKNP over the session unless a test passes an ideal one.
 */
export async function runGarbler(
  session: MpcSession,
  circuit: Circuit,
  inputs: Uint8Array,
  mode: OutputMode,
  ot: CorrelatedOt = iknpCorrelatedOt(session),
): Promise<Uint8Array> {
  assertInputs(inputs, circuit.garblerInputCount)
  const { message, permuteBits } = garbleMessage(session, circuit, inputs, mode, await ot.send(circuit.evaluatorInputCount))
  await send(session, garbledCircuit, message, { circuit, mode })
  if (mode === 'xor-shared') return permuteBits
  if (mode === 'to-evaluator') return new Uint8Array(0)
  const peerBits = await receive(session, outputBits, permuteBits.length)
  return permuteBits.map((bit, i) => bit ^ peerBits[i])
}

/**
 * The evaluator's side. Returns its output shares ('xor-shared'), the outputs
 * ('to-evaluator'), or nothing ('to-garbler'). `ot` as for runGarbler, this side receiving.
 */
export async function runEvaluator(
  session: MpcSession,
  circuit: Circuit,
  inputs: Uint8Array,
  mode: OutputMode,
  ot: CorrelatedOt = iknpCorrelatedOt(session),
): Promise<Uint8Array> {
  assertInputs(inputs, circuit.evaluatorInputCount)
  const evaluatorLabels = await ot.receive(inputs)
  const firstTweak = reserveTweaks(session, circuit.andCount)
  const { garblerLabels, tables, decoding } = await receive(session, garbledCircuit, { circuit, mode })
  const inputLabels = new Uint32Array(BLOCK_WORDS * (circuit.garblerInputCount + circuit.evaluatorInputCount))
  inputLabels.set(garblerLabels)
  inputLabels.set(evaluatorLabels, garblerLabels.length)
  const bits = lsbs(evaluate(circuit, sessionHash(session), firstTweak, inputLabels, tables))
  if (mode === 'xor-shared') return bits
  if (mode === 'to-garbler') {
    await send(session, outputBits, bits, bits.length)
    return new Uint8Array(0)
  }
  return bits.map((bit, i) => bit ^ decoding[i])
}
