/**
 * Signed roots (DESIGN 2.5, "no split view"). The operator signs every root it publishes
 * together with the tree size it belongs to, so two validly signed, different roots for one
 * size are a proof, checkable by anyone holding the operator's public key, that the operator
 * showed two histories of its leaf list: an equivocation.
 *
 * The signed message is poseidon([ROOT_DOMAIN, size, root]) under EdDSA-Poseidon
 * (src/crypto/keys.ts). ROOT_DOMAIN is the ASCII string "maci-anon/signed-root/v1" read as a
 * big-endian integer (24 bytes, so below the field modulus); it keeps a root signature from
 * ever being valid as a signature of anything else the operator key signs.
 *
 * Encoding (SIGNED_ROOT_BYTES = 128): root | R8.x | R8.y | S, each 32 bytes big-endian as in
 * src/crypto/field.ts. The size is not encoded: in a root history it is the position + 1.
 */
import { MaciAnonError } from '../errors.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { FieldEncodingError, Fr } from './field.js'
import { signerOf, verify, type PublicKey, type Signature } from './keys.js'
import { poseidon } from './poseidon.js'

export interface SignedRoot {
  /** Leaves in the tree when this root was current (root history entry i has size i + 1). */
  size: number
  root: bigint
  signature: Signature<bigint>
}

export const SIGNED_ROOT_BYTES = 4 * Fr.BYTES

export const ROOT_DOMAIN = bytesToNumberBE(new TextEncoder().encode('maci-anon/signed-root/v1'))

export class SignedRootError extends MaciAnonError {
  constructor(message: string) {
    super('SIGNED_ROOT', message)
  }
}

function rootDigest(size: number, root: bigint): bigint {
  return poseidon([ROOT_DOMAIN, BigInt(size), root])
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) throw new SignedRootError(`a signed root's tree size is a positive integer, got ${size}`)
}

export function signRoot(privateKey: Uint8Array, size: number, root: bigint): SignedRoot {
  return rootSignerOf(privateKey)(size, root)
}

/** signRoot for the operator, which signs a root for every leaf: the key's derivation is done once (keys.ts, signerOf). */
export function rootSignerOf(privateKey: Uint8Array): (size: number, root: bigint) => SignedRoot {
  const signDigest = signerOf(privateKey)
  return (size, root) => {
    checkSize(size)
    return { size, root, signature: signDigest(rootDigest(size, root)) }
  }
}

/** False, never a throw, for a bad size, root or signature. */
export function verifySignedRoot(publicKey: PublicKey, signed: SignedRoot): boolean {
  if (!Number.isSafeInteger(signed.size) || signed.size < 1) return false
  return verify(publicKey, rootDigest(signed.size, signed.root), signed.signature)
}

export function encodeSignedRoot(signed: SignedRoot): Uint8Array {
  const out = new Uint8Array(SIGNED_ROOT_BYTES)
  const fields = [signed.root, signed.signature.R8[0], signed.signature.R8[1], signed.signature.S]
  fields.forEach((value, i) => out.set(Fr.toBytesBE(value), Fr.BYTES * i))
  return out
}

/** Parses the 128-byte encoding; a wrong length or a non-canonical field throws SignedRootError. */
export function decodeSignedRoot(bytes: Uint8Array, size: number): SignedRoot {
  checkSize(size)
  if (bytes.length !== SIGNED_ROOT_BYTES) {
    throw new SignedRootError(`a signed root is ${SIGNED_ROOT_BYTES} bytes, got ${bytes.length}`)
  }
  const fields: bigint[] = []
  try {
    for (let i = 0; i < 4; i++) fields.push(Fr.fromBytesBE(bytes.subarray(Fr.BYTES * i, Fr.BYTES * (i + 1))))
  } catch (error) {
    if (error instanceof FieldEncodingError) throw new SignedRootError(`signed root for size ${size}: ${error.message}`)
    throw error
  }
  const [root, r8x, r8y, s] = fields
  return { size, root, signature: { R8: [r8x, r8y], S: s } }
}

/** Two signed roots that prove the operator equivocated: same size, different roots, both valid. */
export function isEquivocation(publicKey: PublicKey, a: SignedRoot, b: SignedRoot): boolean {
  return a.size === b.size && a.root !== b.root && verifySignedRoot(publicKey, a) && verifySignedRoot(publicKey, b)
}
