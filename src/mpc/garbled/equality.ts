/**
 * The validity bit of the reactivation 2PC: [garbler's value == evaluator's value] for two
 * field elements, as a garbled n-bit equality circuit whose output stays XOR-shared, to be
 * converted to additive shares (convert.ts).
 *
 * The circuit is XNOR per bit, then a balanced AND tree: n - 1 AND gates, depth
 * ceil(log2 n), the fewest ANDs for equality under free-XOR. Cost at 254 bits: 253 ANDs,
 * 8,096 bytes of tables, 254 x 16 bytes of garbler labels, and IKNP columns for 448 OTs
 * (the 254 inputs, then the KOS15 check's extra ones up to a multiple of 32: 7,168 bytes)
 * with the check's 16-byte challenge and 32-byte answer (ot-extension.ts), after the
 * session's base OTs.
 */
import { Fr } from '../../crypto/field.js'
import type { MpcSession } from '../session.js'
import { type Circuit, CircuitBuilder, type Wire, bitsOf } from './circuit.js'
import { type GcRole, runEvaluator, runGarbler } from './two-party.js'

/** 1 when the little-endian bit vectors a and b are equal. */
export function equal(builder: CircuitBuilder, a: readonly Wire[], b: readonly Wire[]): Wire {
  if (a.length !== b.length || a.length === 0) throw new RangeError('operands need the same, nonzero width')
  let level = a.map((ai, i) => builder.not(builder.xor(ai, b[i])))
  while (level.length > 1) {
    const next: Wire[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(builder.and(level[i], level[i + 1]))
    if (level.length % 2 === 1) next.push(level[level.length - 1])
    level = next
  }
  return level[0]
}

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
export async function secureEquality(session: MpcSession, role: GcRole, value: bigint, bits: number = Fr.BITS): Promise<0 | 1> {
  if (!Number.isInteger(bits) || bits < 1) throw new RangeError('bits is a positive integer')
  const circuit = equalityCircuit(bits)
  const inputs = bitsOf(value, bits)
  const share = role === 'garbler' ? await runGarbler(session, circuit, inputs, 'xor-shared') : await runEvaluator(session, circuit, inputs, 'xor-shared')
  return share[0] === 1 ? 1 : 0
}
