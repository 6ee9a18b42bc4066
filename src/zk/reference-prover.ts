/**
 * REFERENCE leaf-opening prover, for tests and the sample script only. It holds both parties'
 * secrets in one process, which the real system never does: the reactivation 2PC replaces it,
 * and must produce what it produces.
 *
 * It runs the 2PC's own prover code (collaborative-groth16.ts) on the plain driver
 * (plain-arithmetic.ts), as TACEO's co-groth16 does with mpc/plain.rs: the witness comes from
 * the circuit's wasm, and the validity bit is whether every constraint holds. For a valid leaf
 * that is an ordinary Groth16 proof, the one snarkjs makes up to its random r and s. For an
 * invalid leaf no witness exists; the wasm goes on past the failed equality (witness-evaluator.ts),
 * and b = 0 makes the result what the 2PC hands the operator in that case: uniformly random
 * points (r and s randomise pi_a and pi_b, mu * G1 masks C), which do not verify.
 */
import { poseidon } from '../crypto/poseidon.js'
import { artifactsOf } from './artifacts.js'
import { combineProofShares, proveCollaboratively } from './collaborative-groth16.js'
import type { ProofWithSignals } from './groth16.js'
import { PlainArithmetic } from './plain-arithmetic.js'
import { readR1cs, type ParsedR1cs } from './r1cs.js'
import { WitnessEvaluator } from './witness-evaluator.js'
import { loadBn128, readZkey, type ParsedZkey } from './zkey.js'

export interface LeafOpeningInputs {
  commitment: bigint
  leaf: bigint
  rho: bigint
  index: bigint
  K: bigint
  kappa: bigint
}

interface LeafOpeningCircuit {
  zkey: ParsedZkey
  r1cs: ParsedR1cs
  evaluator: WitnessEvaluator
}

let circuit: Promise<LeafOpeningCircuit> | undefined

/** The committed leaf-opening key, constraints and wasm, read once per process. */
function leafOpeningCircuit(): Promise<LeafOpeningCircuit> {
  const files = artifactsOf('leaf_opening')
  circuit ??= Promise.all([readZkey(files.zkey), readR1cs(files.r1cs), WitnessEvaluator.load(files.wasm)]).then(
    ([zkey, r1cs, evaluator]) => ({ zkey, r1cs, evaluator }),
  )
  return circuit
}

export async function proveLeafOpeningReference(inputs: LeafOpeningInputs): Promise<ProofWithSignals> {
  const link = poseidon([inputs.commitment, inputs.leaf, inputs.rho])
  const keyCommitment = poseidon([inputs.K, inputs.kappa])
  const { zkey, r1cs, evaluator } = await leafOpeningCircuit()
  const { witness, failedAsserts } = await evaluator.evaluate({
    link,
    keyCommitment,
    commitment: inputs.commitment,
    leaf: inputs.leaf,
    rho: inputs.rho,
    index: inputs.index,
    K: inputs.K,
    kappa: inputs.kappa,
  })
  const share = await proveCollaboratively(zkey, r1cs, witness, new PlainArithmetic(), {
    validityBitShare: failedAsserts.length === 0 ? 1n : 0n,
    publicSignals: [link, keyCommitment],
  })
  // The plain driver's party holds all of C; the absent peer's share is the identity.
  return combineProofShares(share, (await loadBn128()).G1.zeroAffine)
}
