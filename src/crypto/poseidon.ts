/**
 * Poseidon over BN254 with circomlib's constants (Grassi et al., "Poseidon", USENIX 2021).
 * poseidon-lite computes the same values as circomlibjs and the circuits' `Poseidon(n)`
 * templates; test/crypto/poseidon.test.ts checks it against circomlibjs.
 */
import { poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6 } from 'poseidon-lite'

const byArity = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6]

export function poseidon(inputs: readonly bigint[]): bigint {
  const hash = byArity[inputs.length - 1]
  if (hash === undefined) throw new RangeError(`Poseidon takes 1 to ${byArity.length} inputs, got ${inputs.length}`)
  return hash(inputs as bigint[])
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
export function realLeafOf(leafKey: bigint, commitment: bigint, index: number | bigint): bigint {
  return poseidon([leafKey, commitment, BigInt(index)])
}

/** The reactivation nullifier N = H(s + 2) (DESIGN 2.3). */
export function nullifierOf(secret: bigint): bigint {
  return poseidon([secret + 2n])
}
