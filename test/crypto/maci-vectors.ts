/**
 * The known answers of test/crypto/fixtures/maci-keys.json, made by MACI's own packages
 * (@maci-protocol/crypto and @maci-protocol/domainobjs 3.0.0) with
 * scripts/make-maci-key-vectors.ts, read into bigints and bytes.
 */
import { readFileSync } from 'node:fs'

type Pair = [bigint, bigint]

interface StoredVector {
  label: string
  privateKey: string
  macisk: string
  secretScalar: string
  publicKey: [string, string]
  packedPublicKey: string
  macipk: string
  signatures: Array<{ message: string; R8: [string, string]; S: string }>
  ecdh: { peer: number; shared: [string, string]; cofactorCleared: [string, string] }
}

interface StoredFixture {
  madeBy: { script: string; packages: Record<string, string> }
  vectors: StoredVector[]
  ecies: { recipient: number; context: string; plaintext: string; ciphertext: string }
}

export interface MaciVector {
  label: string
  privateKey: Uint8Array
  macisk: string
  /** MACI's formatPrivateKeyForBabyJub: zk-kit's deriveSecretScalar of the decimal string. */
  secretScalar: bigint
  publicKey: Pair
  /** zk-kit's packPublicKey, the integer behind macipk. */
  packedPublicKey: bigint
  macipk: string
  signatures: Array<{ message: bigint; signature: { R8: Pair; S: bigint } }>
  /** MACI's generateEcdhSharedKey(this key, peer's public key), and 8 times it (zk-kit's mulPointEscalar). */
  ecdh: { peer: number; shared: Pair; cofactorCleared: Pair }
}

const pair = (values: [string, string]): Pair => [BigInt(values[0]), BigInt(values[1])]

const stored = JSON.parse(readFileSync(new URL('./fixtures/maci-keys.json', import.meta.url), 'utf8')) as StoredFixture

export const madeBy = stored.madeBy

export const maciVectors: MaciVector[] = stored.vectors.map((vector) => ({
  label: vector.label,
  privateKey: Uint8Array.from(Buffer.from(vector.privateKey, 'hex')),
  macisk: vector.macisk,
  secretScalar: BigInt(vector.secretScalar),
  publicKey: pair(vector.publicKey),
  packedPublicKey: BigInt(vector.packedPublicKey),
  macipk: vector.macipk,
  signatures: vector.signatures.map((entry) => ({ message: BigInt(entry.message), signature: { R8: pair(entry.R8), S: BigInt(entry.S) } })),
  ecdh: { peer: vector.ecdh.peer, shared: pair(vector.ecdh.shared), cofactorCleared: pair(vector.ecdh.cofactorCleared) },
}))

export function maciVector(label: string): MaciVector {
  const vector = maciVectors.find((entry) => entry.label === label)
  if (vector === undefined) throw new Error(`no MACI key vector "${label}"`)
  return vector
}

/** A ciphertext in maci-anon's ECIES format, to the vector `recipient`, with MACI's ECDH. */
export const maciEcies = { ...stored.ecies, ciphertext: Uint8Array.from(Buffer.from(stored.ecies.ciphertext, 'hex')) }
