/**
 * The code src/crypto/babyjubjub.ts replaced, rebuilt from zk-kit's functions for the
 * known-answer tests: zk-kit's affine arithmetic for ECDH, the subgroup check and the keys
 * (zk-kit's default entry on MACI's seed, as MACI derives them),
 * and zk-kit's verifySignature behind the same subgroup check isOnCurve made. The HKDF and
 * AES-GCM steps are the wire format of docs/PROTOCOL.md §2, written out here again.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { addPoint, inCurve, mulPointEscalar, subOrder, type Point } from '@zk-kit/baby-jubjub'
import type * as EddsaPoseidon from '@zk-kit/eddsa-poseidon'
import type { Signature } from '@zk-kit/eddsa-poseidon'
import { maciSeed, R } from './helpers.js'

/** zk-kit's default entry, the one MACI's keys.ts imports (its hash is BLAKE-512). */
export const zkKit = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon') as typeof EddsaPoseidon

const isIdentity = (point: Point<bigint>) => point[0] === 0n && point[1] === 1n

/** isOnCurve as it was: canonical, on the curve, x != 0, and l·P the identity by zk-kit's arithmetic. */
export function zkKitIsUsableKey(point: readonly [bigint, bigint]): boolean {
  const [x, y] = point
  return x < R && y < R && inCurve([x, y]) && x !== 0n && isIdentity(mulPointEscalar([x, y], subOrder))
}

/** verify as it was: the subgroup check, then zk-kit's verifySignature, false on any throw. */
export function zkKitVerify(publicKey: readonly [bigint, bigint], message: bigint, signature: Signature<bigint>): boolean {
  if (!zkKitIsUsableKey(publicKey)) return false
  try {
    return zkKit.verifySignature(message, signature, [publicKey[0], publicKey[1]])
  } catch {
    return false
  }
}

/** sharedPoint as it was: zk-kit's k·P, then three affine doublings. */
export function zkKitSharedPoint(privateKey: Uint8Array, publicKey: readonly [bigint, bigint]): [bigint, bigint] {
  if (publicKey[0] >= R || publicKey[1] >= R || !inCurve([publicKey[0], publicKey[1]])) throw new Error('not on the curve')
  let point = mulPointEscalar([publicKey[0], publicKey[1]], zkKit.deriveSecretScalar(maciSeed(privateKey)))
  for (let doubling = 0; doubling < 3; doubling++) point = addPoint(point, point)
  if (isIdentity(point)) throw new Error('small order')
  return [point[0], point[1]]
}

const word = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex')

function key(shared: readonly [bigint, bigint], header: Uint8Array, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.concat([word(shared[0]), word(shared[1])]), header.subarray(0, 64), `maci-anon/ecies/v1/${context}`, 32))
}

/** encryptTo as it was: a zk-kit ephemeral key and zk-kit ECDH. */
export function zkKitEncrypt(recipient: readonly [bigint, bigint], plaintext: Uint8Array, context: string): Uint8Array {
  const ephemeralPrivate = randomBytes(32)
  const ephemeral = zkKit.derivePublicKey(maciSeed(ephemeralPrivate))
  const header = Buffer.concat([word(ephemeral[0]), word(ephemeral[1]), randomBytes(12)])
  const cipher = createCipheriv('aes-256-gcm', key(zkKitSharedPoint(ephemeralPrivate, recipient), header, context), header.subarray(64))
  cipher.setAAD(header)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([header, body, cipher.getAuthTag()])
}

/** decryptWith as it was, for well-formed ciphertexts. */
export function zkKitDecrypt(privateKey: Uint8Array, ciphertext: Uint8Array, context: string): Uint8Array {
  const bytes = Buffer.from(ciphertext)
  const header = bytes.subarray(0, 76)
  const ephemeral: [bigint, bigint] = [BigInt(`0x${header.subarray(0, 32).toString('hex')}`), BigInt(`0x${header.subarray(32, 64).toString('hex')}`)]
  const decipher = createDecipheriv('aes-256-gcm', key(zkKitSharedPoint(privateKey, ephemeral), header, context), header.subarray(64))
  decipher.setAAD(header)
  decipher.setAuthTag(bytes.subarray(bytes.length - 16))
  return Buffer.concat([decipher.update(bytes.subarray(76, bytes.length - 16)), decipher.final()])
}
