import * as snarkjs from 'snarkjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { readR1cs, type ParsedR1cs } from '../../src/zk/r1cs.js'
import { WitnessEvaluator } from '../../src/zk/witness-evaluator.js'
import { clearWitness, leafOpening, randomLeafInputs, validInputs } from './helpers/leaf-opening.js'
import { unsatisfiedConstraints } from './helpers/r1cs.js'
import { readSymbols, type SymbolTable } from './helpers/symbols.js'
import { classifyWires, OwnershipError, type WireOwnership } from './helpers/wire-ownership.js'

const sorted = (wires: Iterable<number>) => [...wires].sort((x, y) => x - y)

describe('wire ownership', () => {
  let evaluator: WitnessEvaluator
  let symbols: SymbolTable
  let r1cs: ParsedR1cs
  let ownership: WireOwnership
  const base = validInputs()

  beforeAll(async () => {
    evaluator = await WitnessEvaluator.load(leafOpening.wasm)
    symbols = await readSymbols(leafOpening.sym)
    r1cs = await readR1cs(leafOpening.r1cs)
    ownership = await classifyWires(evaluator, base, validInputs())
  })

  it('computes the same witness as snarkjs for satisfying inputs', async () => {
    const inputs = validInputs()
    const evaluation = await evaluator.evaluate({ ...inputs.voter, ...inputs.operator })
    expect(evaluation.failedAsserts).toEqual([])
    expect(evaluation.witness).toEqual(await clearWitness(inputs))
  })

  it('goes past the failed leaf equality: only that constraint is violated', async () => {
    const inputs = randomLeafInputs()
    await expect(snarkjs.wtns.calculate({ ...inputs.voter, ...inputs.operator }, leafOpening.wasm, { type: 'mem' })).rejects.toThrow(/Assert Failed/)
    const evaluation = await evaluator.evaluate({ ...inputs.voter, ...inputs.operator })
    expect(evaluation.failedAsserts).toEqual(['Error in template LeafOpening_141 line: 38'])
    const violated = unsatisfiedConstraints(r1cs, evaluation.witness)
    expect(violated).toHaveLength(1)
    expect(r1cs.constraints[violated[0]].c.map((term) => term.wire)).toContain(symbols.witnessIndex('main.leaf'))
  })

  it('classified from complete witnesses: each perturbed run failed only the final equality', () => {
    expect(ownership.failedAsserts).toEqual({
      voter: ['Error in template LeafOpening_141 line: 38'],
      operator: ['Error in template LeafOpening_141 line: 38'],
    })
  })

  it('voter-known wires do not move when only K and kappa change, operator-known ones not when only the voter inputs change', async () => {
    const other = validInputs()
    const reference = (await evaluator.evaluate({ ...base.voter, ...base.operator })).witness
    const operatorChanged = (await evaluator.evaluate({ ...base.voter, ...other.operator })).witness
    const voterChanged = (await evaluator.evaluate({ ...other.voter, ...base.operator })).witness
    for (const wire of [...ownership.voter, ...ownership.constant]) expect(operatorChanged[wire], `wire ${wire}`).toBe(reference[wire])
    for (const wire of [...ownership.operator, ...ownership.constant]) expect(voterChanged[wire], `wire ${wire}`).toBe(reference[wire])
    for (const wire of ownership.voter) expect(voterChanged[wire], `wire ${wire}`).not.toBe(reference[wire])
    for (const wire of ownership.operator) expect(operatorChanged[wire], `wire ${wire}`).not.toBe(reference[wire])
    for (const wire of ownership.shared) {
      expect(voterChanged[wire], `wire ${wire}`).not.toBe(reference[wire])
      expect(operatorChanged[wire], `wire ${wire}`).not.toBe(reference[wire])
    }
  })

  it('does not depend on the random inputs it was computed at', async () => {
    const again = await classifyWires(evaluator, validInputs(), validInputs())
    expect(again.owners).toEqual(ownership.owners)
  })

  it('shares exactly the wires of H(K, commitment, index) past its first S-box layer', () => {
    const at = (name: string) => symbols.witnessIndex(`main.${name}`)
    // The first S-box layer acts on each input alone: K's lane is the operator's, the
    // commitment's and the index's lanes are the voter's.
    const lane = (j: number) => [`ark[1].out[${j}]`, `sigmaF[0][${j}].in2`, `sigmaF[0][${j}].in4`].map((name) => at(`realLeaf.pEx.${name}`))
    const kOnly = lane(1)
    const voterOnly = [...lane(2), ...lane(3)]
    const mixing = symbols.wiresUnder('main.realLeaf.')
    expect(ownership.shared).toEqual(mixing.filter((wire) => !kOnly.includes(wire) && !voterOnly.includes(wire)))
    expect(ownership.voter).toEqual(
      sorted([...symbols.wiresUnder('main.l.'), ...['link', 'commitment', 'leaf', 'rho', 'index'].map(at), ...voterOnly]),
    )
    expect(ownership.operator).toEqual(sorted([...symbols.wiresUnder('main.kc.'), ...['keyCommitment', 'K', 'kappa'].map(at), ...kOnly]))
    expect(ownership.constant).toEqual([0])
    expect(ownership.owners).toHaveLength(r1cs.nVars)
  })

  it('refuses base inputs that do not satisfy the circuit', async () => {
    await expect(classifyWires(evaluator, randomLeafInputs(), validInputs())).rejects.toThrow(OwnershipError)
  })
})
