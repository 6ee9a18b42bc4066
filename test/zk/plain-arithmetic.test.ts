/**
 * The plain driver runs the 2PC's prover code as a single prover (as TACEO's mpc/plain.rs):
 * with the same r, s it gives exactly the 2PC's proof, and the reference prover built on it
 * proves valid leaves and hands out non-verifying random points for invalid ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { combineProofShares, proveCollaboratively } from '../../src/zk/collaborative-groth16.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { PlainArithmetic } from '../../src/zk/plain-arithmetic.js'
import { readR1cs, type ParsedR1cs } from '../../src/zk/r1cs.js'
import { proveLeafOpeningReference, type LeafOpeningInputs } from '../../src/zk/reference-prover.js'
import { loadBn128, readZkey, type Bn128, type ParsedZkey } from '../../src/zk/zkey.js'
import { R } from '../crypto/helpers.js'
import { clearWitness, leafOpening, publicSignalsOf, randomLeafInputs, splitShares, validInputs } from './helpers/leaf-opening.js'
import { proveWithTestDealer, type RandomSource } from './helpers/test-dealer-arithmetic.js'

class ScriptedPlainArithmetic extends PlainArithmetic {
  constructor(private readonly scalars: bigint[]) {
    super()
  }
  override randomScalars(n: number): bigint[] {
    expect(n).toBe(this.scalars.length)
    return this.scalars
  }
}

const referenceInputs = (inputs: ReturnType<typeof validInputs>): LeafOpeningInputs => ({
  commitment: inputs.voter.commitment,
  leaf: inputs.voter.leaf,
  rho: inputs.voter.rho,
  index: inputs.voter.index,
  K: inputs.operator.K,
  kappa: inputs.operator.kappa,
})

describe('plain driver', () => {
  let curve: Bn128
  let zkey: ParsedZkey
  let r1cs: ParsedR1cs

  beforeAll(async () => {
    curve = await loadBn128()
    zkey = await readZkey(leafOpening.zkey)
    r1cs = await readR1cs(leafOpening.r1cs)
  })

  afterAll(() => releaseProverThreads())

  it('multiplies, squares and opens in clear, as party 0', async () => {
    const plain = new PlainArithmetic()
    expect(plain.party).toBe(0)
    const [x, y] = [randomFieldElement(), randomFieldElement()]
    expect(await plain.multiply([x, 2n], [y, 3n])).toEqual([(x * y) % R, 6n])
    expect(await plain.square([x])).toEqual([(x * x) % R])
    expect(await plain.openScalars([x])).toEqual([x])
    const point = curve.G1.toAffine(curve.G1.g)
    expect((await plain.openPoints([point], [])).g1).toEqual([point])
    expect(plain.randomScalars(3)).toHaveLength(3)
  })

  it('gives the same proof as the two-party prover for the same r and s', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const [r, s, mu0, mu1] = [randomFieldElement(), randomFieldElement(), randomFieldElement(), randomFieldElement()]
    const scripted = (party: 0 | 1): RandomSource => () => [party === 0 ? r : 0n, party === 0 ? 0n : s, party === 0 ? mu0 : mu1]
    const b1 = randomFieldElement()
    const validityShares: [bigint, bigint] = [(1n - b1 + R) % R, b1]
    const random: [RandomSource, RandomSource] = [scripted(0), scripted(1)]
    const shared = await proveWithTestDealer(curve, zkey, r1cs, splitShares(witness), validityShares, publicSignalsOf(inputs), random)
    const share = await proveCollaboratively(zkey, r1cs, witness, new ScriptedPlainArithmetic([r, s, mu0 + mu1]), {
      validityBitShare: 1n,
      publicSignals: publicSignalsOf(inputs),
    })
    const plain = await combineProofShares(share, curve.G1.zeroAffine)
    expect(plain).toEqual(shared.proof)
    expect(await verifyProof('leaf_opening', plain)).toBe(true)
  })

  it('reference prover: a valid leaf gives a proof that verifies, with the public signals link and keyCommitment', async () => {
    const inputs = validInputs()
    const proof = await proveLeafOpeningReference(referenceInputs(inputs))
    expect(proof.publicSignals).toEqual(publicSignalsOf(inputs).map(String))
    expect(await verifyProof('leaf_opening', proof)).toBe(true)
  })

  it('reference prover: an invalid leaf gives fresh points that do not verify', async () => {
    const inputs = randomLeafInputs()
    const first = await proveLeafOpeningReference(referenceInputs(inputs))
    const second = await proveLeafOpeningReference(referenceInputs(inputs))
    expect(first.publicSignals).toEqual(publicSignalsOf(inputs).map(String))
    for (const proof of [first, second]) expect(await verifyProof('leaf_opening', proof)).toBe(false)
    expect(first.proof.pi_a).not.toEqual(second.proof.pi_a)
    expect(first.proof.pi_b).not.toEqual(second.proof.pi_b)
    expect(first.proof.pi_c).not.toEqual(second.proof.pi_c)
  })
})
