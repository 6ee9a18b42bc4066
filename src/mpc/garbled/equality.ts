/**
 * The validity bit of the reactivation 2PC: [garbler's value == evaluator's value] for two
 * field elements, as a garbled n-bit equality circuit (n - 1 AND gates, gadgets.ts) whose
 * output stays XOR-shared, to be converted to additive shares (convert.ts).
 *
 * Cost at 254 bits: 253 ANDs, 8,096 bytes of tables, 254 x 16 bytes of garbler labels and
 * 256 x 16 bytes of IKNP columns, one message each way (after the session's base OTs).
 */
import { FIELD_BITS } from '../field.js'
import type { MpcSession } from '../session.js'
import { type Circuit, CircuitBuilder, bitsOf } from './circuit.js'
import { equal } from './gadgets.js'
import { runEvaluator, runGarbler } from './two-party.js'

const circuits = new Map<number, Circuit>()

function equalityCircuit(bits: number): Circuit {
  let circuit = circuits.get(bits)
  if (circuit === undefined) {
    const builder = new CircuitBuilder(bits, bits)
    circuit = builder.build([equal(builder, builder.garblerInputs, builder.evaluatorInputs)])
    circuits.set(bits, circuit)
  }
  return circuit
}

/**
 * This party's XOR share of [garbler's value == evaluator's value], both values below
 * 2^bits. The garbler is the IKNP sender of its OT direction; the first use of that
 * direction in the session runs its base OTs.
 */
export async function secureEquality(
  session: MpcSession,
  role: 'garbler' | 'evaluator',
  value: bigint,
  bits: number = FIELD_BITS,
): Promise<0 | 1> {
  if (!Number.isInteger(bits) || bits < 1) throw new RangeError('bits is a positive integer')
  const circuit = equalityCircuit(bits)
  const inputs = bitsOf(value, bits)
  const share = role === 'garbler' ? await runGarbler(session, circuit, inputs, 'xor-shared') : await runEvaluator(session, circuit, inputs, 'xor-shared')
  return share[0] === 1 ? 1 : 0
}
