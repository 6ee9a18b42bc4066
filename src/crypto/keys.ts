/**
 * MACI-compatible keys: EdDSA-Poseidon on BabyJubJub with BLAKE-512 key derivation, as MACI
 * and circomlibjs do (zk-kit's `blake-1` variant; its default uses BLAKE2b and gives other
 * keys). A private key is 32 random bytes; its public key is a curve point; signatures are
 * over one field element.
 */
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import type * as EddsaPoseidon from '@zk-kit/eddsa-poseidon'
import type { Signature } from '@zk-kit/eddsa-poseidon'
import { addPoint, inCurve, mulPointEscalar, subOrder, type Point } from '@zk-kit/baby-jubjub'
import { FIELD_MODULUS, fieldFromDecimal } from './field.js'
import { poseidon } from './poseidon.js'

// The package's ESM build points at files it does not ship, so load its CommonJS build.
const { derivePublicKey, deriveSecretScalar, signMessage, verifySignature } = createRequire(import.meta.url)(
  '@zk-kit/eddsa-poseidon/blake-1',
) as typeof EddsaPoseidon

export type PublicKey = readonly [bigint, bigint]
export type { Signature }

export interface Keypair {
  privateKey: Uint8Array
  publicKey: PublicKey
}

export class KeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeyError'
  }
}

export function generateKeypair(): Keypair {
  return keypairFromPrivateKey(randomBytes(32))
}

export function keypairFromPrivateKey(privateKey: Uint8Array): Keypair {
  if (privateKey.length !== 32) throw new KeyError('a private key is 32 bytes')
  const point = derivePublicKey(Buffer.from(privateKey))
  return { privateKey: Uint8Array.from(privateKey), publicKey: [point[0], point[1]] }
}

const isIdentity = (point: Point<bigint>) => point[0] === 0n && point[1] === 1n

/** Keys already found in the subgroup: the check costs a full scalar multiplication. */
const checkedKeys = new Set<string>()
const CHECKED_KEYS_LIMIT = 100_000

/**
 * A usable public key: a point of BabyJubJub's prime-order subgroup other than the identity.
 * The curve has cofactor 8; a low-order point (the identity among them) would let anyone
 * forge EdDSA signatures "by" it. Results are cached, since voters' keys recur.
 */
export function isOnCurve(publicKey: PublicKey): boolean {
  const [x, y] = publicKey
  if (x >= FIELD_MODULUS || y >= FIELD_MODULUS || !inCurve([x, y]) || x === 0n) return false
  const key = `${x}:${y}`
  if (checkedKeys.has(key)) return true
  if (!isIdentity(mulPointEscalar([x, y], subOrder))) return false
  if (checkedKeys.size >= CHECKED_KEYS_LIMIT) checkedKeys.clear()
  checkedKeys.add(key)
  return true
}

/** The field element that stands for a public key in circuits and in the active set. */
export function hashPublicKey(publicKey: PublicKey): bigint {
  return poseidon([publicKey[0], publicKey[1]])
}

export function sign(privateKey: Uint8Array, message: bigint): Signature<bigint> {
  return signMessage(Buffer.from(privateKey), message)
}

/** False, never a throw, for a malformed signature or a point off the curve. */
export function verify(publicKey: PublicKey, message: bigint, signature: Signature<bigint>): boolean {
  if (!isOnCurve(publicKey)) return false
  try {
    return verifySignature(message, signature, [publicKey[0], publicKey[1]])
  } catch {
    return false
  }
}

/**
 * BabyJubJub Diffie-Hellman with MACI's scalar derivation from the private key, and the
 * cofactor cleared: 8 * (k * P). Ephemeral keys are fresh each time, so instead of a subgroup
 * check per message, the multiplication by 8 removes any small-order part a malicious key
 * could carry (which would otherwise leak k mod 8); a result at the identity is refused.
 */
export function sharedPoint(privateKey: Uint8Array, publicKey: PublicKey): Point<bigint> {
  const [x, y] = publicKey
  if (x >= FIELD_MODULUS || y >= FIELD_MODULUS || !inCurve([x, y])) throw new KeyError('public key is not on BabyJubJub')
  let point = mulPointEscalar([x, y], deriveSecretScalar(Buffer.from(privateKey)))
  for (let doubling = 0; doubling < 3; doubling++) point = addPoint(point, point)
  if (isIdentity(point)) throw new KeyError('public key has small order')
  return point
}

export function publicKeyToString(publicKey: PublicKey): string {
  return `${publicKey[0]}:${publicKey[1]}`
}

export function publicKeyFromString(text: string): PublicKey {
  const parts = text.split(':')
  if (parts.length !== 2) throw new KeyError('a public key is written "x:y" in decimal')
  const publicKey: PublicKey = [fieldFromDecimal(parts[0]), fieldFromDecimal(parts[1])]
  if (!isOnCurve(publicKey)) throw new KeyError('public key is not on BabyJubJub')
  return publicKey
}
