/**
 * The leaf-opening circuit as the reactivation 2PC uses it (DESIGN 2.3): its proving key,
 * constraint system and witness layout, loaded once per process and shared by every
 * session, and the preprocessing one session needs.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { artifactsOf } from '../../zk/artifacts.js'
import { poseidonPreprocessing } from '../../zk/poseidon-trace.js'
import { readR1cs, type ParsedR1cs } from '../../zk/r1cs.js'
import { leafOpeningLayout, type WireSource } from '../../zk/witness-layout.js'
import { readZkey, type ParsedZkey } from '../../zk/zkey.js'

export interface LeafOpeningCircuit {
  zkey: ParsedZkey
  r1cs: ParsedR1cs
  layout: WireSource[]
  /** SHA-256 of the zkey file, which both parties agree on before any secret is used. */
  zkeyHash: string
}

let circuit: Promise<LeafOpeningCircuit> | undefined

export function leafOpeningCircuit(): Promise<LeafOpeningCircuit> {
  circuit ??= (async () => {
    const files = artifactsOf('leaf_opening')
    const [zkey, r1cs, layout] = await Promise.all([readZkey(files.zkey), readR1cs(files.r1cs), leafOpeningLayout()])
    const zkeyHash = createHash('sha256').update(await readFile(files.zkey)).digest('hex')
    return { zkey, r1cs, layout, zkeyHash }
  })()
  return circuit
}

/** Multiplications beside the coset product (one per domain point): r*s and (1-b)*mu. */
const PROOF_EXTRA_MULTIPLICATIONS = 2
/** Inputs of the shared hash H(K, c, i): the operator's K, the voter's c and i. */
export const SHARED_HASH_INPUTS = 3

/** Preprocessing per session: the proof's products, and the power tuples of H(K, c, i). */
export function preprocessingPerSession(domainSize: number): { triples: number; squares: number } {
  const hash = poseidonPreprocessing(SHARED_HASH_INPUTS)
  return { triples: domainSize + PROOF_EXTRA_MULTIPLICATIONS + hash.multiplications, squares: hash.squarings }
}
