/**
 * The voter's keystore: a JSON document (keys, deactivation secrets, leaf indices) sealed
 * with a passphrase. scrypt (RFC 7914; N = 2^15, r = 8, p = 1) stretches the passphrase into
 * an AES-256-GCM key, so a wrong passphrase or a modified file fails authentication.
 * Writes go to a temporary file renamed over the old one, so a crash never leaves half a file.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { MaciAnonError } from '../errors.js'

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>

const KDF = { N: 1 << 15, r: 8, p: 1 }
const VERSION = 1

export class KeystoreError extends MaciAnonError {
  constructor(message: string) {
    super('KEYSTORE', message)
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

const isPowerOfTwo = (n: unknown) => Number.isInteger(n) && (n as number) >= 2 && ((n as number) & ((n as number) - 1)) === 0
const inRange = (n: unknown, max: number) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max

function base64Field(value: unknown, what: string, length?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new KeystoreError(`keystore ${what} is not base64`)
  const bytes = Buffer.from(value, 'base64')
  if (length !== undefined && bytes.length !== length) throw new KeystoreError(`keystore ${what} must be ${length} bytes`)
  return bytes
}

/** Checks every field's type and size, so a damaged file fails with KeystoreError, never a TypeError. */
function parseKeystoreFile(text: string, path: string): KeystoreFile {
  let file: KeystoreFile
  try {
    file = JSON.parse(text) as KeystoreFile
  } catch (error) {
    throw new KeystoreError(`keystore ${path} is not JSON: ${(error as Error).message}`)
  }
  if (typeof file !== 'object' || file === null || file.version !== VERSION) throw new KeystoreError(`unsupported keystore format in ${path}`)
  if (typeof file.kdf !== 'object' || file.kdf === null || file.kdf.name !== 'scrypt') throw new KeystoreError(`unsupported keystore KDF in ${path}`)
  if (typeof file.cipher !== 'object' || file.cipher === null || file.cipher.name !== 'aes-256-gcm') {
    throw new KeystoreError(`unsupported keystore cipher in ${path}`)
  }
  const { N, r, p } = file.kdf
  if (!isPowerOfTwo(N) || N > 1 << 20 || !inRange(r, 32) || !inRange(p, 16)) throw new KeystoreError('keystore KDF parameters are out of range')
  return file
}

export async function readKeystore(path: string, passphrase: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new KeystoreError(`cannot read keystore ${path}: ${(error as Error).message}`)
  }
  const file = parseKeystoreFile(text, path)
  const salt = base64Field(file.kdf.salt, 'salt')
  const nonce = base64Field(file.cipher.nonce, 'nonce', 12)
  const tag = base64Field(file.cipher.tag, 'tag', 16)
  const ciphertext = base64Field(file.ciphertext, 'ciphertext')
  const { N, r, p } = file.kdf
  const key = await deriveKey(passphrase, salt, { N, r, p })
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
  decipher.setAuthTag(tag)
  let plaintext: string
  try {
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
  } catch {
    throw new KeystoreError('wrong passphrase or corrupted keystore')
  }
  return JSON.parse(plaintext) as Record<string, unknown>
}
