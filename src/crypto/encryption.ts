/**
 * Public-key encryption to the operator (ECIES): an ephemeral BabyJubJub key agrees a point
 * with the recipient's key (as MACI's ECDH does), HKDF-SHA256 turns it into a key, and
 * AES-256-GCM seals the payload. DESIGN 2.2 allows an AEAD in place of Poseidon encryption;
 * GCM gives ciphertext integrity, which Poseidon's duplex encryption in MACI does not.
 *
 * Wire form: ephemeral x (32) | ephemeral y (32) | nonce (12) | ciphertext | tag (16).
 * The ciphertext length equals the plaintext length, so fixed-size plaintexts give
 * fixed-size ciphertexts.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { MaciAnonError } from '../errors.js'
import { Fr } from './field.js'
import { generateKeypair, sharedPoint, type PublicKey } from './keys.js'

const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 64 + NONCE_BYTES
export const CIPHERTEXT_OVERHEAD = HEADER_BYTES + TAG_BYTES

export class DecryptionError extends MaciAnonError {
  constructor(message: string) {
    super('DECRYPTION', message)
  }
}

function deriveKey(shared: readonly [bigint, bigint], ephemeral: Uint8Array, context: string): Buffer {
  const secret = Buffer.concat([Fr.toBytesBE(shared[0]), Fr.toBytesBE(shared[1])])
  return Buffer.from(hkdfSync('sha256', secret, ephemeral, `maci-anon/ecies/v1/${context}`, 32))
}

/** `context` separates uses (deactivation, vote, sealed 2PC output) so a ciphertext for one is refused by another. */
export function encryptTo(recipient: PublicKey, plaintext: Uint8Array, context: string): Uint8Array {
  const ephemeral = generateKeypair()
  const header = Buffer.alloc(HEADER_BYTES)
  header.set(Fr.toBytesBE(ephemeral.publicKey[0]), 0)
  header.set(Fr.toBytesBE(ephemeral.publicKey[1]), 32)
  header.set(randomBytes(NONCE_BYTES), 64)
  const key = deriveKey(sharedPoint(ephemeral.privateKey, recipient), header.subarray(0, 64), context)
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(64))
  cipher.setAAD(header)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([header, body, cipher.getAuthTag()])
}

export function decryptWith(privateKey: Uint8Array, ciphertext: Uint8Array, context: string): Uint8Array {
  if (ciphertext.length < CIPHERTEXT_OVERHEAD) throw new DecryptionError('ciphertext too short')
  const bytes = Buffer.from(ciphertext)
  const header = bytes.subarray(0, HEADER_BYTES)
  let ephemeral: PublicKey
  let key: Buffer
  try {
    ephemeral = [Fr.fromBytesBE(header.subarray(0, 32)), Fr.fromBytesBE(header.subarray(32, 64))]
    key = deriveKey(sharedPoint(privateKey, ephemeral), header.subarray(0, 64), context)
  } catch {
    throw new DecryptionError('ephemeral key is not a BabyJubJub point')
  }
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(64))
  decipher.setAAD(header)
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()])
  } catch {
    throw new DecryptionError('authentication failed')
  }
}
