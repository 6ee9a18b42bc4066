import { describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { artifactsOf } from '../../src/zk/artifacts.js'
import { sharedPoseidonTrace, sharedPowerTuples } from '../../src/zk/poseidon-trace.js'
import { WitnessEvaluator } from '../../src/zk/witness-evaluator.js'
import { knownShare, leafOpeningLayout, ownerOf, witnessShare } from '../../src/zk/witness-layout.js'
import { loadBn128 } from '../../src/zk/zkey.js'
import { TestDealerArithmetic, TestTripleDealer } from './helpers/test-dealer-arithmetic.js'
import { clearWitness, randomLeafInputs, validInputs } from './helpers/leaf-opening.js'
import { readSymbols } from './helpers/symbols.js'
import { classifyWires } from './helpers/wire-ownership.js'

const mod = (x: bigint) => ((x % Fr.ORDER) + Fr.ORDER) % Fr.ORDER

async function sharedWitness(inputs: ReturnType<typeof validInputs>): Promise<bigint[]> {
  const layout = await leafOpeningLayout()
  const curve = await loadBn128()
  const channels = memoryChannelPair()
  const dealer = new TestTripleDealer()
  const [operatorArithmetic, voterArithmetic] = ([0, 1] as const).map(
    (party) => new TestDealerArithmetic(party, channels[party], dealer, curve),
  )
  const { commitment, leaf, rho, index } = inputs.voter
  const { K, kappa } = inputs.operator
  const [operatorPowers, voterPowers] = await Promise.all([operatorArithmetic, voterArithmetic].map((party) => sharedPowerTuples(party, 3)))
  const [operatorTrace, voterTrace] = await Promise.all([
    sharedPoseidonTrace([K, 0n, 0n], operatorArithmetic, operatorPowers),
    sharedPoseidonTrace([0n, commitment, index], voterArithmetic, voterPowers),
  ])
  const operatorShare = witnessShare(layout, 'operator', knownShare(layout, 'operator', { K, kappa }), operatorTrace)
  const voterShare = witnessShare(layout, 'voter', knownShare(layout, 'voter', { commitment, leaf, rho, index }), voterTrace)
  return operatorShare.map((value, wire) => mod(value + voterShare[wire]))
}

describe('leaf-opening witness layout', () => {
  it('recombined shares equal the witness snarkjs computes in the clear, wire for wire', async () => {
    const inputs = validInputs()
    expect(await sharedWitness(inputs)).toEqual(await clearWitness(inputs))
  })

  it('a known share holds the clear value of every wire its party knows, and 0 on the shared and the other party\'s', async () => {
    const inputs = validInputs()
    const layout = await leafOpeningLayout()
    const clear = await clearWitness(inputs)
    const { commitment, leaf, rho, index } = inputs.voter
    const { K, kappa } = inputs.operator
    const shares = { operator: knownShare(layout, 'operator', { K, kappa }), voter: knownShare(layout, 'voter', { commitment, leaf, rho, index }) }
    const counts = { operator: 0, voter: 0 }
    layout.forEach((source, wire) => {
      const owner = ownerOf(source)
      for (const party of ['operator', 'voter'] as const) {
        const knows = owner === party || (owner === 'public' && party === 'voter')
        expect(shares[party][wire]).toBe(knows ? clear[wire] : 0n)
        if (knows) counts[party]++
      }
    })
    // Each party knows a sizable part of the witness: its inputs and the S-boxes of its own hash.
    expect(Math.min(counts.operator, counts.voter)).toBeGreaterThan(200)
    expect(() => witnessShare(layout, 'voter', shares.voter.slice(1), { sboxes: [], output: 0n })).toThrow(/known share has/)
  })

  it('for a random leaf, recombined shares equal the clear evaluation of the same inputs', async () => {
    const inputs = randomLeafInputs()
    const evaluator = await WitnessEvaluator.load(artifactsOf('leaf_opening').wasm)
    const clear = await evaluator.evaluate({ ...inputs.voter, ...inputs.operator })
    expect(clear.failedAsserts.length).toBeGreaterThan(0)
    expect(await sharedWitness(inputs)).toEqual(clear.witness)
  })

  it('agrees with the perturbation classification: no wire a party knows alone is given to the other', async () => {
    const layout = await leafOpeningLayout()
    const evaluator = await WitnessEvaluator.load(artifactsOf('leaf_opening').wasm)
    const ownership = await classifyWires(evaluator, validInputs(), validInputs())
    layout.forEach((source, wire) => {
      const owner = ownerOf(source)
      const measured = ownership.owners[wire]
      if (measured === 'voter') expect(['voter', 'shared']).toContain(owner)
      if (measured === 'operator') expect(['operator', 'shared']).toContain(owner)
      if (measured === 'shared') expect(owner).toBe('shared')
    })
  })

  it('maps the shared wires onto the signals of H(K, commitment)', async () => {
    const layout = await leafOpeningLayout()
    const symbols = await readSymbols(artifactsOf('leaf_opening').sym)
    layout.forEach((source, wire) => {
      if (ownerOf(source) !== 'shared') return
      expect(symbols.namesAt(wire).some((name) => name.startsWith('main.realLeaf.'))).toBe(true)
    })
  })
})
