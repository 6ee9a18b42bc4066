/**
 * The single stored encoding of each value the operator logs (src/store lays them out in
 * LevelDB; the core holds them encoded and decodes on serving): ciphertexts as base64,
 * public keys as MACI's decimal pair string, signed roots as the hex of their 128-byte
 * encoding, the tree frontier as JSON. Decoding what a store returns checks its form, and a
 * store whose records do not fit together fails with StoreError.
 */
import { publicKeyFromString, publicKeyToString, type PublicKey } from '../crypto/keys.js'
import type { MerkleFrontier } from '../crypto/merkle.js'
import { decodeSignedRoot, encodeSignedRoot, type SignedRoot } from '../crypto/root-signature.js'
import { MaciAnonError } from '../errors.js'

/** Stored state that cannot be opened or does not fit together. Never shown to a peer: it names local paths. */
export class StoreError extends MaciAnonError {
  constructor(detail: string) {
    super('STORE', detail)
  }
}

export type EncodedCiphertext = string
export type EncodedPublicKey = string
export type EncodedSignedRoot = string

export const encodeCiphertext = (bytes: Uint8Array): EncodedCiphertext => Buffer.from(bytes).toString('base64')
export const decodeCiphertext = (text: EncodedCiphertext): Uint8Array => Uint8Array.from(Buffer.from(text, 'base64'))

export const encodePublicKey = (key: PublicKey): EncodedPublicKey => publicKeyToString(key)
export const decodePublicKey = (text: EncodedPublicKey): PublicKey => publicKeyFromString(text)

export const encodeSignedRootRecord = (signed: SignedRoot): EncodedSignedRoot => Buffer.from(encodeSignedRoot(signed)).toString('hex')
/** The signed root stored for tree size `size` (its signature binds the size). */
export const decodeSignedRootAt = (text: EncodedSignedRoot, size: number): SignedRoot => decodeSignedRoot(Buffer.from(text, 'hex'), size)

/** The frontier as stored: one decimal string per level, null where the level holds no node. */
export function encodeFrontier(frontier: MerkleFrontier): string {
  return JSON.stringify(frontier.map((node) => (node === undefined ? null : node.toString())))
}

export function decodeFrontier(stored: string): MerkleFrontier {
  return (JSON.parse(stored) as Array<string | null>).map((node) => (node === null ? undefined : BigInt(node)))
}
