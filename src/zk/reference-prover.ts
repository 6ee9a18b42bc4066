/**
 * REFERENCE leaf-opening prover, for tests and benchmarks only. It holds both parties'
 * secrets in one process, which the real system never does: the reactivation 2PC
 * (src/protocol/reactivation-session.ts) replaces it, and must produce what it produces.
 *
 * For a valid leaf it is snarkjs on the leaf-opening circuit. For an invalid leaf no witness
 * exists, so it returns what the 2PC hands the operator in that case: a proof-shaped junk
 * value with uniformly random points, which does not verify.
 */
import { buildBn128 } from 'ffjavascript'
import { randomFieldElement } from '../crypto/field.js'
import { poseidon, realLeafOf } from '../crypto/poseidon.js'
import { proveWithSnarkjs, type Groth16Proof, type ProofWithSignals } from './groth16.js'

export interface LeafOpeningInputs {
  commitment: bigint
  leaf: bigint
  rho: bigint
  index: bigint
  leafKey: bigint
  leafKeyBlinding: bigint
}

export async function proveLeafOpeningReference(inputs: LeafOpeningInputs): Promise<ProofWithSignals> {
  const link = poseidon([inputs.commitment, inputs.leaf, inputs.rho])
  const keyCommitment = poseidon([inputs.leafKey, inputs.leafKeyBlinding])
  if (realLeafOf(inputs.leafKey, inputs.commitment, inputs.index) !== inputs.leaf) {
    return { proof: await randomProof(), publicSignals: [link.toString(), keyCommitment.toString()] }
  }
  return proveWithSnarkjs('leaf_opening', {
    link,
    keyCommitment,
    commitment: inputs.commitment,
    leaf: inputs.leaf,
    rho: inputs.rho,
    index: inputs.index,
    K: inputs.leafKey,
    kappa: inputs.leafKeyBlinding,
  })
}

async function randomProof(): Promise<Groth16Proof> {
  const curve = await buildBn128(true)
  try {
    const scalar = () => curve.Fr.e(randomFieldElement())
    const g1 = () => curve.G1.toObject(curve.G1.toAffine(curve.G1.timesFr(curve.G1.g, scalar())))
    const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.timesFr(curve.G2.g, scalar())))
    const decimal = (values: bigint[]) => values.map((value) => value.toString())
    return {
      pi_a: decimal(g1()),
      pi_b: g2.map((pair: bigint[]) => decimal(pair)),
      pi_c: decimal(g1()),
      protocol: 'groth16',
      curve: 'bn128',
    }
  } finally {
    await curve.terminate()
  }
}
