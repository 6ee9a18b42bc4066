/**
 * Garbled circuits: the gadgets in the clear (against the circuit plan), then half-gates
 * garbling between two parties with the evaluator's labels from correlated OT: equality
 * exhaustively at 4 bits and at random at 254 bits, the adder and the comparator with each
 * output mode, and the exact traffic; first over IKNP, then alone over an ideal COT.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Circuit, CircuitBuilder, GateKind, bitsOf } from '../../src/mpc/garbled/circuit.js'
import { equal, secureEquality } from '../../src/mpc/garbled/equality.js'
import { type OutputMode, runEvaluator, runGarbler } from '../../src/mpc/garbled/two-party.js'
import { MessageTag } from '../../src/mpc/session.js'
import { add, lessThan } from './helpers/gadgets.js'
import { idealCorrelatedOtPair } from './helpers/ideal-cot.js'
import { type TestSession, framed, measure, sessionPair } from './helpers/sessions.js'

/** Runs the plan on plain bits: the reference for every garbled run. */
function evaluatePlain(circuit: Circuit, garblerBits: Uint8Array, evaluatorBits: Uint8Array): Uint8Array {
  const values = new Uint8Array(circuit.wireCount)
  values.set(garblerBits)
  values.set(evaluatorBits, circuit.garblerInputCount)
  for (const layer of circuit.layers) {
    for (let g = 0; g < layer.linear.length; g += 4) {
      const [kind, a, b, out] = layer.linear.subarray(g, g + 4)
      values[out] = kind === GateKind.xor ? values[a] ^ values[b] : values[a] ^ 1
    }
    for (let g = 0; g < layer.ands.length; g += 3) {
      const [a, b, out] = layer.ands.subarray(g, g + 3)
      values[out] = values[a] & values[b]
    }
  }
  return Uint8Array.from(circuit.outputs, (wire) => values[wire])
}

const toInteger = (bits: Uint8Array) => bits.reduceRight((acc, bit) => (acc << 1n) | BigInt(bit), 0n)
const randomInteger = (bits: number) => BigInt('0x' + randomBytes(Math.ceil(bits / 8)).toString('hex')) & ((1n << BigInt(bits)) - 1n)

function gadgetCircuit(bits: number, gadget: (builder: CircuitBuilder) => number[]): Circuit {
  const builder = new CircuitBuilder(bits, bits)
  return builder.build(gadget(builder))
}

const equalCircuit = (bits: number) => gadgetCircuit(bits, (b) => [equal(b, b.garblerInputs, b.evaluatorInputs)])
const addCircuit = (bits: number) => gadgetCircuit(bits, (b) => add(b, b.garblerInputs, b.evaluatorInputs))
const lessCircuit = (bits: number) => gadgetCircuit(bits, (b) => [lessThan(b, b.garblerInputs, b.evaluatorInputs)])

describe('circuit builder and gadgets (in the clear)', () => {
  it('computes equality, sum and comparison for every pair of 4-bit inputs', () => {
    const [eq, sum, less] = [equalCircuit(4), addCircuit(4), lessCircuit(4)]
    expect([eq.andCount, sum.andCount, less.andCount]).toEqual([3, 4, 4])
    for (let x = 0n; x < 16n; x++) {
      for (let y = 0n; y < 16n; y++) {
        const [gx, ey] = [bitsOf(x, 4), bitsOf(y, 4)]
        expect(evaluatePlain(eq, gx, ey)[0]).toBe(x === y ? 1 : 0)
        expect(toInteger(evaluatePlain(sum, gx, ey))).toBe(x + y)
        expect(evaluatePlain(less, gx, ey)[0]).toBe(x < y ? 1 : 0)
      }
    }
  })

  it('groups AND gates by depth: 254-bit equality is 253 ANDs in 8 layers', () => {
    const circuit = equalCircuit(254)
    expect(circuit.andCount).toBe(253)
    expect(circuit.layers.filter((layer) => layer.ands.length > 0).length).toBe(8)
    expect(() => new CircuitBuilder(1, 1).xor(0, 5)).toThrow(RangeError)
  })
})

describe('garbled two-party computation', () => {
  let garbler: TestSession
  let evaluator: TestSession

  beforeAll(async () => {
    ;[garbler, evaluator] = sessionPair()
    await Promise.all([secureEquality(garbler, 'garbler', 0n, 1), secureEquality(evaluator, 'evaluator', 0n, 1)])
  })

  const run = (circuit: Circuit, x: bigint, y: bigint, bits: number, mode: OutputMode) =>
    Promise.all([runGarbler(garbler, circuit, bitsOf(x, bits), mode), runEvaluator(evaluator, circuit, bitsOf(y, bits), mode)])

  it('equality, exhaustive at 4 bits: the XOR shares recombine to [x == y]', async () => {
    for (let x = 0n; x < 16n; x++) {
      for (let y = 0n; y < 16n; y++) {
        const [g, e] = await Promise.all([secureEquality(garbler, 'garbler', x, 4), secureEquality(evaluator, 'evaluator', y, 4)])
        expect(g ^ e).toBe(x === y ? 1 : 0)
      }
    }
  })

  it('equality at 254 bits, equal and unequal, with the exact traffic', async () => {
    const cases: [bigint, bigint][] = []
    for (let i = 0; i < 6; i++) {
      const x = randomInteger(254)
      cases.push([x, x], [x, randomInteger(254)], [x, x ^ (1n << BigInt(i * 50))])
    }
    cases.push([0n, 0n], [(1n << 254n) - 1n, (1n << 254n) - 1n], [0n, 1n << 253n])
    for (const [x, y] of cases) {
      const { result, sent, messages } = await measure([garbler, evaluator], () =>
        Promise.all([secureEquality(garbler, 'garbler', x), secureEquality(evaluator, 'evaluator', y)]),
      )
      expect(result[0] ^ result[1]).toBe(x === y ? 1 : 0)
      // Garbler: the check's challenge, then 254 input labels + 253 AND tables; evaluator: IKNP
      // columns for 254 + 192 OTs (padded to 448), then its answer to the check.
      expect(sent).toEqual([framed(16).bytes + framed(16 * 254 + 32 * 253).bytes, framed(16 * 448).bytes + framed(32).bytes])
      expect(messages).toEqual([2, 2])
    }
    await expect(secureEquality(garbler, 'garbler', 1n << 254n)).rejects.toThrow(RangeError)
  })

  it('adder: 64-bit sums revealed to the evaluator, to the garbler, or XOR-shared', async () => {
    const circuit = addCircuit(64)
    for (let i = 0; i < 10; i++) {
      const [x, y] = [randomInteger(64), randomInteger(64)]
      const [, toEvaluator] = await run(circuit, x, y, 64, 'to-evaluator')
      expect(toInteger(toEvaluator)).toBe(x + y)
      const [toGarbler, nothing] = await run(circuit, x, y, 64, 'to-garbler')
      expect(toInteger(toGarbler)).toBe(x + y)
      expect(nothing.length).toBe(0)
      const [g, e] = await run(circuit, x, y, 64, 'xor-shared')
      expect(toInteger(g.map((bit, j) => bit ^ e[j]))).toBe(x + y)
    }
    const { sent } = await measure([garbler, evaluator], () => run(circuit, 5n, 7n, 64, 'to-garbler'))
    expect(sent).toEqual([
      framed(16).bytes + framed(16 * 64 + 32 * 64).bytes,
      framed(16 * 256).bytes + framed(32).bytes + framed(Math.ceil(65 / 8)).bytes,
    ])
  })

  it('comparator: [x < y] at 32 and 254 bits', async () => {
    for (const bits of [32, 254]) {
      const circuit = lessCircuit(bits)
      for (let i = 0; i < 8; i++) {
        const x = randomInteger(bits)
        const y = i % 4 === 0 ? x : i % 4 === 1 ? x + 1n : randomInteger(bits)
        if (y >> BigInt(bits) !== 0n) continue
        const [, result] = await run(circuit, x, y, bits, 'to-evaluator')
        expect(result[0]).toBe(x < y ? 1 : 0)
      }
    }
  })
})

describe('garbled two-party computation alone, over an ideal correlated OT', () => {
  // The evaluator's labels come from the ideal COT: no base OTs, no IKNP columns, so the
  // only traffic is the garbler's message (and the output bits for 'to-garbler').
  let garbler: TestSession
  let evaluator: TestSession
  let ots: ReturnType<typeof idealCorrelatedOtPair>

  beforeAll(() => {
    ;[garbler, evaluator] = sessionPair()
    ots = idealCorrelatedOtPair()
  })

  const run = (circuit: Circuit, x: bigint, y: bigint, bits: number, mode: OutputMode) =>
    Promise.all([
      runGarbler(garbler, circuit, bitsOf(x, bits), mode, ots[0]),
      runEvaluator(evaluator, circuit, bitsOf(y, bits), mode, ots[1]),
    ])

  it('equality, exhaustive at 4 bits, with only the garbled circuit on the wire', async () => {
    const circuit = equalCircuit(4)
    for (let x = 0n; x < 16n; x++) {
      for (let y = 0n; y < 16n; y++) {
        const { result, sent, messages } = await measure([garbler, evaluator], () => run(circuit, x, y, 4, 'xor-shared'))
        expect(result[0][0] ^ result[1][0]).toBe(x === y ? 1 : 0)
        expect(sent).toEqual([framed(16 * 4 + 32 * 3).bytes, 0])
        expect(messages).toEqual([1, 0])
      }
    }
  })

  it('adder and comparator in every output mode', async () => {
    const [sum, less] = [addCircuit(64), lessCircuit(64)]
    for (let i = 0; i < 10; i++) {
      const [x, y] = [randomInteger(64), randomInteger(64)]
      expect(toInteger((await run(sum, x, y, 64, 'to-evaluator'))[1])).toBe(x + y)
      const [toGarbler, nothing] = await run(sum, x, y, 64, 'to-garbler')
      expect(toInteger(toGarbler)).toBe(x + y)
      expect(nothing.length).toBe(0)
      const [g, e] = await run(less, x, y, 64, 'xor-shared')
      expect(g[0] ^ e[0]).toBe(x < y ? 1 : 0)
    }
    const { sent } = await measure([garbler, evaluator], () => run(sum, 5n, 7n, 64, 'to-garbler'))
    expect(sent).toEqual([framed(16 * 64 + 32 * 64).bytes, framed(Math.ceil(65 / 8)).bytes])
  })

  it('the evaluator refuses set padding bits in the decoding bits, with MALFORMED', async () => {
    const circuit = addCircuit(4)
    const evaluating = runEvaluator(evaluator, circuit, bitsOf(3n, 4), 'to-evaluator', ots[1])
    const message = new Uint8Array(1 + 16 * 4 + 32 * 4 + 1)
    message[0] = MessageTag.garbledCircuit
    // 5 output bits: bits 5 to 7 of the last byte are padding.
    message[message.length - 1] = 0x20
    await garbler.channel.send(message)
    await expect(evaluating).rejects.toMatchObject({ name: 'ChannelError', code: 'MALFORMED' })
  })
})
