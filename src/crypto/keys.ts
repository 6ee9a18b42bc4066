/**
 * MACI's keys, as MACI 3.0 makes them (@maci-protocol/crypto, ts/keys.ts; serialised by
 * @maci-protocol/domainobjs, see src/crypto/maci-key-format.ts): EdDSA-Poseidon on BabyJubJub
 * as zk-kit's @zk-kit/eddsa-poseidon computes it with its default entry, whose hash is
 * BLAKE-512 (BLAKE-1; the package's `blake-2b` entry is another variant, unused by MACI).
 *
 * A private key is MACI's: a random 256-bit integer (generatePrivateKey reads 32 random bytes
 * big-endian), held here as those 32 big-endian bytes. MACI never hands zk-kit the bytes: it
 * passes the integer's decimal string (`privateKey.toString()`), and zk-kit hashes that
 * string's UTF-8 bytes. So the secret scalar is deriveSecretScalar(decimal) (MACI's
 * formatPrivateKeyForBabyJub), the public key derivePublicKey(decimal) (generatePublicKey),
 * a signature signMessage(decimal, msg) (sign), and ECDH uses the same scalar. maci-anon 0.1
 * hashed the 32 raw bytes instead, which gave other keys for the same private key; its
 * keystores and operator directories are refused on open.
 *
 * Results equal MACI's bit for bit (test/crypto/maci-keys.test.ts, against vectors made by
 * MACI's packages), except sharedPoint, which clears the cofactor (see there). The curve
 * arithmetic is src/crypto/wasm-babyjubjub.ts (test/crypto/wasm-babyjubjub.test.ts and
 * babyjubjub.test.ts compare it with noble's, zk-kit's and circomlibjs's).
 */
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { blake512 } from '@noble/hashes/blake1.js'
import type * as EddsaPoseidon from '@zk-kit/eddsa-poseidon'
import type { Signature } from '@zk-kit/eddsa-poseidon'
import { MaciAnonError } from '../errors.js'
import { isCurvePoint } from './babyjubjub.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { Fr } from './field.js'
import { poseidon } from './poseidon.js'
import { cofactorClearedMultiply, isInPrimeSubgroup, multiplyBase, multiplyBaseTwice, SUBGROUP_ORDER, verifyEquation } from './wasm-babyjubjub.js'

// The package's ESM build imports blakejs's CommonJS exports by name, which Node refuses, so
// load its CommonJS build: the default entry, as MACI's keys.ts imports it. Its scalar
// derivation stays the reference for keys; the curve arithmetic is src/crypto/wasm-babyjubjub.ts.
const { deriveSecretScalar } = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon') as typeof EddsaPoseidon

/**
 * What MACI gives zk-kit for a private key: the decimal string of the key read as a
 * big-endian integer (`privateKey.toString()` of MACI's bigint). zk-kit takes a string's
 * UTF-8 bytes, so this string is the input of every BLAKE-512 below.
 */
function maciSeed(privateKey: Uint8Array): string {
  return bytesToNumberBE(privateKey).toString()
}

export type PublicKey = readonly [bigint, bigint]
export type { Signature }

export interface Keypair {
  privateKey: Uint8Array
  publicKey: PublicKey
}

export class KeyError extends MaciAnonError {
  constructor(message: string) {
    super('KEY', message)
  }
}

export function generateKeypair(): Keypair {
  return keypairFromPrivateKey(randomBytes(32))
}

export function keypairFromPrivateKey(privateKey: Uint8Array): Keypair {
  if (privateKey.length !== 32) throw new KeyError('a private key is 32 bytes')
  const publicKey = multiplyBase(deriveSecretScalar(maciSeed(privateKey)))
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
  if (!isInPrimeSubgroup(publicKey)) return false
  if (checkedKeys.size >= CHECKED_KEYS_LIMIT) checkedKeys.clear()
  checkedKeys.add(key)
  return true
}

/** The field element that stands for a public key in circuits and in the active set. */
export function hashPublicKey(publicKey: PublicKey): bigint {
  return poseidon([publicKey[0], publicKey[1]])
}

const littleEndian = (bytes: Uint8Array) => bytesToNumberBE(Uint8Array.from(bytes).reverse())

function littleEndian32(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0, rest = value; i < 32; i++, rest >>= 8n) out[i] = Number(rest & 0xffn)
  return out
}

/**
 * EdDSA-Poseidon as MACI's sign (zk-kit's signMessage on the key's decimal string) computes
 * it, with the same bytes out: h = BLAKE-512(the UTF-8 bytes of maciSeed(privateKey)); s is
 * h[0..32] pruned (RFC 8032 5.1.5 clamping, to bit 254), read little-endian;
 * A = (s >> 3)·B8 is the public key; the nonce is
 * r = BLAKE-512(h[32..64] | msg as 32 bytes LE) mod l; R8 = r·B8;
 * S = r + Poseidon(R8, A, msg)·s mod l. Since s = 8·(s >> 3), S·B8 = R8 + 8·hm·A.
 * Both multiplications use the base point's precomputed table in constant time, and share
 * one inversion.
 */
export function sign(privateKey: Uint8Array, message: bigint): Signature<bigint> {
  checkSignable(message)
  const { s, nonceKey } = signingSecrets(privateKey)
  const r = nonceOf(nonceKey, message)
  const [publicKey, R8] = multiplyBaseTwice((s >> 3n) % SUBGROUP_ORDER, r)
  return signatureOf(s, r, R8, publicKey, message)
}

/**
 * `sign` for a key that signs again and again (the operator's, once for every root): h, s
 * and A are derived once, so each signature costs one multiplication by the base point
 * instead of two. Same signatures as `sign`, byte for byte.
 */
export function signerOf(privateKey: Uint8Array): (message: bigint) => Signature<bigint> {
  const { s, nonceKey } = signingSecrets(privateKey)
  const publicKey = multiplyBase((s >> 3n) % SUBGROUP_ORDER)
  return (message) => {
    checkSignable(message)
    const r = nonceOf(nonceKey, message)
    return signatureOf(s, r, multiplyBase(r), publicKey, message)
  }
}

function checkSignable(message: bigint): void {
  if (message < 0n || message >= Fr.ORDER) throw new KeyError('a signed message is a field element')
}

/** s and the nonce key h[32..64], from h = BLAKE-512(maciSeed(privateKey)). */
function signingSecrets(privateKey: Uint8Array): { s: bigint; nonceKey: Uint8Array } {
  const hash = blake512(new TextEncoder().encode(maciSeed(privateKey)))
  const pruned = hash.slice(0, 32)
  pruned[0] &= 0xf8
  pruned[31] &= 0x7f
  pruned[31] |= 0x40
  return { s: littleEndian(pruned), nonceKey: hash.slice(32, 64) }
}

function nonceOf(nonceKey: Uint8Array, message: bigint): bigint {
  const nonceInput = new Uint8Array(64)
  nonceInput.set(nonceKey)
  nonceInput.set(littleEndian32(message), 32)
  return littleEndian(blake512(nonceInput)) % SUBGROUP_ORDER
}

function signatureOf(s: bigint, r: bigint, R8: [bigint, bigint], publicKey: PublicKey, message: bigint): Signature<bigint> {
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
 * The equation is checked in one call (wasm-babyjubjub.ts's verifyEquation), in variable time:
 * everything in it is public.
 */
export function verify(publicKey: PublicKey, message: bigint, signature: Signature<bigint>): boolean {
  return verifyWithKeyCheck(publicKey, message, signature, isOnCurve)
}

/**
 * `verify` under a key that was found in the subgroup (isOnCurve) when it was admitted, such
 * as the key of a voter the operator signed up: the subgroup check, a full scalar
 * multiplication, is not repeated; only the curve equation is. For any other key the
 * verdict means nothing (a key with a small-order part may pass with a forgery), so the
 * caller must refuse the message of a key it has not admitted whatever the verdict.
 */
export function verifyUnderAdmittedKey(publicKey: PublicKey, message: bigint, signature: Signature<bigint>): boolean {
  return verifyWithKeyCheck(publicKey, message, signature, ([x, y]) => isCurvePoint(x, y) && x !== 0n)
}

function verifyWithKeyCheck(publicKey: PublicKey, message: bigint, signature: Signature<bigint>, keyCheck: (key: PublicKey) => boolean): boolean {
  // As sign refuses it: Poseidon reduces its inputs, so message + r would pass for message.
  if (typeof message !== 'bigint' || message < 0n || message >= Fr.ORDER) return false
  if (typeof signature !== 'object' || signature === null || !isPair(signature.R8) || typeof signature.S !== 'bigint') return false
  const { R8, S } = signature
  if (S < 0n || S >= SUBGROUP_ORDER || !isCurvePoint(R8[0], R8[1]) || !keyCheck(publicKey)) return false
  const hm = poseidon([R8[0], R8[1], publicKey[0], publicKey[1], message])
  return verifyEquation(publicKey, R8, S, (8n * hm) % SUBGROUP_ORDER)
}

/**
 * BabyJubJub Diffie-Hellman with MACI's secret scalar k (formatPrivateKeyForBabyJub), and
 * the cofactor cleared: 8 * (k * P), that is 8 times MACI's generateEcdhSharedKey. The
 * clearing is a security property, kept on purpose: ephemeral keys are fresh each time, so
 * instead of a subgroup check per message, the multiplication by 8 removes any small-order
 * part a malicious key could carry (which would otherwise leak k mod 8); a result at the
 * identity is refused. k is secret, so 8 * (k * P) is wasm-babyjubjub.ts's constant-time
 * fixed-window multiplication, made affine by a constant-time inversion.
 */
export function sharedPoint(privateKey: Uint8Array, publicKey: PublicKey): [bigint, bigint] {
  const [x, y] = publicKey
  if (!isCurvePoint(x, y)) throw new KeyError('public key is not on BabyJubJub')
  const point = cofactorClearedMultiply(publicKey, deriveSecretScalar(maciSeed(privateKey)))
  if (point === undefined) throw new KeyError('public key has small order')
  return point
}

export function publicKeyToString(publicKey: PublicKey): string {
  return `${publicKey[0]}:${publicKey[1]}`
}

export function publicKeyFromString(text: string): PublicKey {
  const parts = text.split(':')
  if (parts.length !== 2) throw new KeyError('a public key is written "x:y" in decimal')
  const publicKey: PublicKey = [Fr.fromDecimal(parts[0]), Fr.fromDecimal(parts[1])]
  if (!isOnCurve(publicKey)) throw new KeyError('public key is not on BabyJubJub')
  return publicKey
}
