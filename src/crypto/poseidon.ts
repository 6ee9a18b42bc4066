/**
 * Poseidon over BN254 with circomlib's constants (Grassi et al., "Poseidon: A New Hash
 * Function for Zero-Knowledge Proof Systems", USENIX Security 2021, eprint 2019/458).
 *
 * The permutation is the optimised evaluation of the paper's Appendix B ("equivalent
 * representation") as circomlib's `PoseidonEx` template (circuits/poseidon.circom) computes
 * it with its constants POSEIDON_C, POSEIDON_S, POSEIDON_M, POSEIDON_P: the partial rounds'
 * constants are pushed forward through the linear layers, so a partial round adds one
 * constant to state[0] and mixes with a sparse matrix (2t - 1 entries). ./wasm-poseidon.ts
 * runs it; this module is its caller-facing form (arity check, inputs taken mod p).
 *
 * It computes the same function as the plain round structure of circomlibjs and
 * poseidon-lite (every round: constants on all t words, a dense t x t mix), which
 * test/crypto/poseidon.test.ts and test/crypto/poseidon-optimized.test.ts check.
 *
 * Speed (`npm run bench -- poseidon`): the rounds run in WebAssembly with the constants
 * in Montgomery form, converted once when the module is built on first use (10 to 25 ms);
 * a hash costs converting its inputs in, one call, and converting the output back. That is
 * about 4 to 5 times the speed of the BigInt evaluation it replaced (19 against 94 µs for
 * one input, 62 against 239 µs for six), whose every multiplication allocated and reduced
 * a BigInt.
 */
import { Fr } from './field.js'
import { hashCanonical } from './wasm-poseidon.js'

const p = Fr.ORDER

/** The largest number of inputs: circomlib's widths t = 2..7 that poseidon-constants.ts carries. */
const MAX_INPUTS = 6
const canonical: bigint[] = []

export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > MAX_INPUTS) throw new RangeError(`Poseidon takes 1 to ${MAX_INPUTS} inputs, got ${inputs.length}`)
  // Inputs outside [0, p) are taken mod p, as a field element (the reference implementations
  // reduce them too); the permutation only ever sees canonical words.
  let words = inputs
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]
    if (x < 0n || x >= p) {
      canonical.length = 0
      for (const y of inputs) canonical.push(((y % p) + p) % p)
      words = canonical
      break
    }
  }
  return hashCanonical(words)
}

/** The deactivation commitment c = H(s + 1) (DESIGN 2.2). */
export function commitmentOf(secret: bigint): bigint {
  return poseidon([secret + 1n])
}

/**
 * A real leaf: H(K, c, i) for the leaf key K, the commitment c and the leaf's index i
 * (DESIGN 2.5, "unique leaves"). Binding i makes two deactivations with the same c get
 * unrelated leaves, so comparing public leaves tells nobody whether a key was active.
 */
export function realLeafOf(K: bigint, commitment: bigint, index: number | bigint): bigint {
  return poseidon([K, commitment, BigInt(index)])
}

/** The reactivation nullifier N = H(s + 2) (DESIGN 2.3). */
export function nullifierOf(secret: bigint): bigint {
  return poseidon([secret + 2n])
}
