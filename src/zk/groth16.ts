/**
 * Single-prover Groth16 with snarkjs on the committed artifacts, and verification. The voter
 * proves membership this way; the operator verifies every proof here before acting on it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { artifactsOf, verificationKey, type CircuitName } from './artifacts.js'
import { loadBn128 } from './zkey.js'

export interface Groth16Proof {
  pi_a: string[]
  pi_b: string[][]
  pi_c: string[]
  protocol: 'groth16'
  curve: 'bn128'
}

export interface ProofWithSignals {
  proof: Groth16Proof
  publicSignals: string[]
}

export type CircuitInput = Record<string, bigint | bigint[] | number[] | string>

export async function proveWithSnarkjs(name: CircuitName, input: CircuitInput): Promise<ProofWithSignals> {
  const files = artifactsOf(name)
  // snarkjs then finds the shared curve instead of building one of its own (loadBn128).
  await loadBn128()
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, files.wasm, files.zkey)
  return { proof: proof as Groth16Proof, publicSignals: publicSignals as string[] }
}

/** False for anything that is not a valid proof, including malformed JSON shapes. */
export async function verifyProof(name: CircuitName, proof: ProofWithSignals): Promise<boolean> {
  const vkey = verificationKey(name)
  if (!Array.isArray(proof.publicSignals) || proof.publicSignals.length !== vkey.nPublic) return false
  try {
    await loadBn128()
    return (await snarkjs.groth16.verify(vkey, proof.publicSignals, proof.proof, silentLogger)) === true
  } catch {
    return false
  }
}

/**
 * Writes NAME.proof.json, NAME.public.json and NAME.vkey.json to `directory`: the three files
 * `snarkjs groth16 verify` takes, for an auditor.
 */
export async function writeProofFiles(directory: string, name: CircuitName, proof: ProofWithSignals): Promise<void> {
  await writeFile(join(directory, `${name}.proof.json`), JSON.stringify(proof.proof, null, 2))
  await writeFile(join(directory, `${name}.public.json`), JSON.stringify(proof.publicSignals, null, 2))
  await writeFile(join(directory, `${name}.vkey.json`), JSON.stringify(verificationKey(name), null, 2))
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} }

// Kept apart, so the CLI can release the pool without loading snarkjs (src/cli/main.ts).
export { releaseProverThreads } from './prover-threads.js'
