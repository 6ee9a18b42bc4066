/**
 * Single-prover Groth16 with snarkjs on the committed artifacts, and verification. The voter
 * proves membership this way; the operator verifies every proof here before acting on it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { artifactsOf, verificationKey, type CircuitName } from './artifacts.js'

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
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, files.wasm, files.zkey)
  return { proof: proof as Groth16Proof, publicSignals: publicSignals as string[] }
}

/** False for anything that is not a valid proof, including malformed JSON shapes. */
export async function verifyProof(name: CircuitName, proof: ProofWithSignals): Promise<boolean> {
  const vkey = verificationKey(name)
  if (!Array.isArray(proof.publicSignals) || proof.publicSignals.length !== vkey.nPublic) return false
  try {
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

/**
 * ffjavascript keeps a pool of worker threads for the BN254 curve once snarkjs has used it;
 * a command-line process must end them to exit. A failed session can leave work running
 * (a proof step awaiting a peer that is gone) that builds the curve again after this ran,
 * which would start a new pool and keep the process alive. With `final` (a process that is
 * ending: the CLI), any curve ffjavascript caches from then on is ended as soon as it is
 * built; without it, later proofs in the same process work as before (tests, benches).
 */
export async function releaseProverThreads(options: { final?: boolean } = {}): Promise<void> {
  type Curve = { terminate(): Promise<void> }
  const holder = globalThis as { curve_bn128?: Curve | null }
  const cached = holder.curve_bn128
  if (options.final === true && !releaseInstalled) {
    releaseInstalled = true
    let current: Curve | null = null
    Object.defineProperty(globalThis, 'curve_bn128', {
      configurable: true,
      get: () => current,
      set: (curve: Curve | null) => {
        current = null
        if (curve) void curve.terminate().catch(() => undefined)
      },
    })
  }
  if (cached) await cached.terminate()
}

let releaseInstalled = false
