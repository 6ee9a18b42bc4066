/**
 * Where the committed circuit artifacts live (circuits/build, made by
 * `npm run build:circuits`), and loading their verification keys.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type CircuitName = 'membership' | 'leaf_opening' | 'combined'

export const CIRCUITS_DIR = fileURLToPath(new URL('../../circuits/', import.meta.url))
export const BUILD_DIR = fileURLToPath(new URL('../../circuits/build/', import.meta.url))

export interface CircuitArtifacts {
  r1cs: string
  wasm: string
  sym: string
  zkey: string
  vkey: string
}

export function artifactsOf(name: CircuitName): CircuitArtifacts {
  const base = `${BUILD_DIR}${name}/${name}`
  return { r1cs: `${base}.r1cs`, wasm: `${base}.wasm`, sym: `${base}.sym`, zkey: `${base}.zkey`, vkey: `${base}.vkey.json` }
}

export type VerificationKey = Record<string, unknown> & { nPublic: number }

const vkeys = new Map<CircuitName, VerificationKey>()

export function verificationKey(name: CircuitName): VerificationKey {
  let vkey = vkeys.get(name)
  if (vkey === undefined) {
    vkey = JSON.parse(readFileSync(artifactsOf(name).vkey, 'utf8')) as VerificationKey
    vkeys.set(name, vkey)
  }
  return vkey
}

/** SHA-256 of the committed vkey file: what the operator publishes so voters and auditors can pin it. */
export function verificationKeyHash(name: CircuitName): string {
  return createHash('sha256').update(readFileSync(artifactsOf(name).vkey)).digest('hex')
}

/**
 * The vkey hashes of this release's committed artifacts, as PublicParameters carries them.
 * Voters, replicas and auditors compare an operator's published hashes with these: a vkey of
 * the operator's own making would let it accept proofs nobody else's artifacts produce.
 */
export function releaseVerificationKeyHashes(): { membership: string; leafOpening: string } {
  return { membership: verificationKeyHash('membership'), leafOpening: verificationKeyHash('leaf_opening') }
}

export function isReleaseVerificationKeys(hashes: { membership: string; leafOpening: string }): boolean {
  const release = releaseVerificationKeyHashes()
  return hashes.membership === release.membership && hashes.leafOpening === release.leafOpening
}
