/**
 * MACI-compatible keys: EdDSA-Poseidon on BabyJubJub with BLAKE-512 key derivation, as MACI
 * and circomlibjs do (zk-kit's `blake-1` variant; its default uses BLAKE2b and gives other
 * keys). A private key is 32 random bytes; its public key is a curve point; signatures are
 * over one field element. Results are those of zk-kit and circomlibjs, bit for bit; the curve
 * arithmetic behind them is src/crypto/babyjubjub.ts (test/crypto/babyjubjub.test.ts
 * compares the two).
 */
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { blake512 } from '@noble/hashes/blake1.js'
import type * as EddsaPoseidon from '@zk-kit/eddsa-poseidon'
import type { Signature } from '@zk-kit/eddsa-poseidon'
import { fromAffine, isCurvePoint, isInPrimeSubgroup, Point, SUBGROUP_ORDER, toAffine } from './babyjubjub.js'
import { bytesToBigInt, FIELD_MODULUS, fieldFromDecimal } from './field.js'
import { poseidon } from './poseidon.js'

// The package's ESM build points at files it does not ship, so load its CommonJS build. Its
// scalar derivation stays the reference for keys; the curve arithmetic is src/crypto/babyjubjub.ts.
const { deriveSecretScalar } = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon/blake-1') as typeof EddsaPoseidon

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
  const publicKey = toAffine(Point.BASE.multiply(deriveSecretScalar(Buffer.from(privateKey))))
  return { privateKey: Uint8Array.from(privateKey), publicKey }
}

/** Keys already found in the subgroup: the check costs a full scalar multiplication. */
const checkedKeys = new Set<string>()
const CHECKED_KEYS_LIMIT = 100_000

/**
 * A usable public key: a point of BabyJubJub's prime-order subgroup other than the identity,
 * written with canonical coordinates. The curve has cofactor 8; a low-order point (the
 * identity among them) would let anyone forge EdDSA signatures "by" it. x = 0 holds only for
 * the identity and the point of order 2, so it is refused before the multiplication. Results
 * are cached, since voters' keys recur.
 */
export function isOnCurve(publicKey: PublicKey): boolean {
  const [x, y] = publicKey
  if (!isCurvePoint(x, y) || x === 0n) return false
  const key = `${x}:${y}`
  if (checkedKeys.has(key)) return true
  if (!isInPrimeSubgroup(fromAffine(x, y))) return false
  if (checkedKeys.size >= CHECKED_KEYS_LIMIT) checkedKeys.clear()
  checkedKeys.add(key)
  return true
}

/** The field element that stands for a public key in circuits and in the active set. */
export function hashPublicKey(publicKey: PublicKey): bigint {
  return poseidon([publicKey[0], publicKey[1]])
}

const littleEndian = (bytes: Uint8Array) => bytesToBigInt(Uint8Array.from(bytes).reverse())

function littleEndian32(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0, rest = value; i < 32; i++, rest >>= 8n) out[i] = Number(rest & 0xffn)
  return out
}

/**
 * EdDSA-Poseidon as circomlibjs's signPoseidon and zk-kit's signMessage compute it, with the
 * same bytes out: h = BLAKE-512(privateKey); s is h[0..32] pruned (RFC 8032 5.1.5 clamping,
 * to bit 254), read little-endian; A = (s >> 3)·B8 is the public key; the nonce is
 * r = BLAKE-512(h[32..64] | msg as 32 bytes LE) mod l; R8 = r·B8;
 * S = r + Poseidon(R8, A, msg)·s mod l. Since s = 8·(s >> 3), S·B8 = R8 + 8·hm·A.
 * Both multiplications use the base point's precomputed table in constant time.
 */
export function sign(privateKey: Uint8Array, message: bigint): Signature<bigint> {
  if (message < 0n || message >= FIELD_MODULUS) throw new KeyError('a signed message is a field element')
  const hash = blake512(privateKey)
  const pruned = hash.slice(0, 32)
  pruned[0] &= 0xf8
  pruned[31] &= 0x7f
  pruned[31] |= 0x40
  const s = littleEndian(pruned)
  const publicKey = toAffine(Point.BASE.multiply((s >> 3n) % SUBGROUP_ORDER))
  const nonceInput = new Uint8Array(64)
  nonceInput.set(hash.subarray(32, 64))
  nonceInput.set(littleEndian32(message), 32)
  const r = littleEndian(blake512(nonceInput)) % SUBGROUP_ORDER
  const R8 = toAffine(Point.BASE.multiply(r))
  const hm = poseidon([R8[0], R8[1], publicKey[0], publicKey[1], message])
  return { R8, S: (r + hm * s) % SUBGROUP_ORDER }
}

const isPair = (value: unknown): value is [bigint, bigint] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'bigint' && typeof value[1] === 'bigint'

/**
 * zk-kit's verifySignature equation, S·B8 = R8 + (8·hm)·A with hm = Poseidon(R8, A, msg),
 * not multiplied by the cofactor: so R8 must itself lie in the subgroup, as A does. A must
 * pass isOnCurve, which is what lets 8·hm be reduced mod l. S must be canonical (S < l),
 * and so must R8's coordinates: zk-kit would reduce an R8 coordinate >= r, which no decoder
 * here ever produces. False, never a throw, for a malformed signature or a point off the curve.
 */
export function verify(publicKey: PublicKey, message: bigint, signature: Signature<bigint>): boolean {
  // As sign refuses it: Poseidon reduces its inputs, so message + r would pass for message.
  if (typeof message !== 'bigint' || message < 0n || message >= FIELD_MODULUS) return false
  if (typeof signature !== 'object' || signature === null || !isPair(signature.R8) || typeof signature.S !== 'bigint') return false
  const { R8, S } = signature
  if (S < 0n || S >= SUBGROUP_ORDER || !isCurvePoint(R8[0], R8[1]) || !isOnCurve(publicKey)) return false
  try {
    const hm = poseidon([R8[0], R8[1], publicKey[0], publicKey[1], message])
    const right = fromAffine(R8[0], R8[1]).add(fromAffine(publicKey[0], publicKey[1]).multiplyUnsafe((8n * hm) % SUBGROUP_ORDER))
    return Point.BASE.multiplyUnsafe(S).equals(right)
  } catch {
    return false
  }
}

/**
 * BabyJubJub Diffie-Hellman with MACI's scalar derivation from the private key, and the
 * cofactor cleared: 8 * (k * P). Ephemeral keys are fresh each time, so instead of a subgroup
 * check per message, the multiplication by 8 removes any small-order part a malicious key
 * could carry (which would otherwise leak k mod 8); a result at the identity is refused.
 * k is secret, so k * P is noble's constant-time fixed-window multiplication.
 */
export function sharedPoint(privateKey: Uint8Array, publicKey: PublicKey): [bigint, bigint] {
  const [x, y] = publicKey
  if (!isCurvePoint(x, y)) throw new KeyError('public key is not on BabyJubJub')
  const point = fromAffine(x, y).multiply(deriveSecretScalar(Buffer.from(privateKey))).clearCofactor()
  if (point.is0()) throw new KeyError('public key has small order')
  return toAffine(point)
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
