/**
 * The voter's keystore: a JSON document (keys, deactivation secrets, leaf indices) sealed
 * with a passphrase. scrypt (RFC 7914; N = 2^15, r = 8, p = 1) stretches the passphrase into
 * an AES-256-GCM key, so a wrong passphrase or a modified file fails authentication.
 * Writes go to a temporary file renamed over the old one, so a crash never leaves half a file.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>

const KDF = { N: 1 << 15, r: 8, p: 1 }
const VERSION = 1

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeystoreError'
  }
}

interface KeystoreFile {
  version: number
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number }
  cipher: { name: 'aes-256-gcm'; nonce: string; tag: string }
  ciphertext: string
}

async function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> {
  if (passphrase.length === 0) throw new KeystoreError('the passphrase is empty')
  return scrypt(passphrase, salt, 32, { ...kdf, maxmem: 256 * kdf.N * kdf.r })
}

export async function writeKeystore(path: string, contents: Record<string, unknown>, passphrase: string): Promise<void> {
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const key = await deriveKey(passphrase, salt, KDF)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(contents), 'utf8'), cipher.final()])
  const file: KeystoreFile = {
    version: VERSION,
    kdf: { name: 'scrypt', salt: salt.toString('base64'), ...KDF },
    cipher: { name: 'aes-256-gcm', nonce: nonce.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  }
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(file, null, 2), { mode: 0o600 })
  await rename(temporary, path)
}

export async function readKeystore(path: string, passphrase: string): Promise<Record<string, unknown>> {
  let file: KeystoreFile
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as KeystoreFile
  } catch (error) {
    throw new KeystoreError(`cannot read keystore ${path}: ${(error as Error).message}`)
  }
  if (file.version !== VERSION || file.kdf?.name !== 'scrypt' || file.cipher?.name !== 'aes-256-gcm') {
    throw new KeystoreError(`unsupported keystore format in ${path}`)
  }
  const { N, r, p } = file.kdf
  if (N > 1 << 20 || r > 32 || p > 16) throw new KeystoreError('keystore KDF parameters are out of range')
  const key = await deriveKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), { N, r, p })
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.nonce, 'base64'))
  decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'))
  let plaintext: string
  try {
    plaintext = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]).toString('utf8')
  } catch {
    throw new KeystoreError('wrong passphrase or corrupted keystore')
  }
  return JSON.parse(plaintext) as Record<string, unknown>
}
