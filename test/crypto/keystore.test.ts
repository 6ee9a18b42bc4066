import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeystoreError, readKeystore, writeKeystore } from '../../src/crypto/keystore.js'
import { randomBytesOfLength } from './helpers.js'

const PASSPHRASE = 'correct horse battery staple'
const CONTENTS = {
  keys: [{ privateKey: Buffer.from(randomBytesOfLength(32)).toString('hex'), publicKey: '1:2' }],
  deactivations: [{ secret: '12345678901234567890', leafIndex: 3 }],
  note: 'ünïcødé ✓',
}

let directory: string
/** One keystore written in beforeAll; the tampering cases copy and modify its JSON. */
let original: StoredFile

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'maci-anon-keystore-'))
  const path = join(directory, 'original.json')
  await writeKeystore(path, CONTENTS, PASSPHRASE)
  original = JSON.parse(await readFile(path, 'utf8')) as StoredFile
})

afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  return undefined
}

/** The stored JSON, loosely typed so the tests can put anything in it. */
interface StoredFile {
  version: unknown
  kdf: Record<string, unknown>
  cipher: Record<string, unknown>
  ciphertext: unknown
}

function flipBase64(text: unknown): string {
  const bytes = Buffer.from(String(text), 'base64')
  bytes[bytes.length >> 1] ^= 0x01
  return bytes.toString('base64')
}

describe('keystore', () => {
  it('round-trips its contents', async () => {
    expect(await readKeystore(join(directory, 'original.json'), PASSPHRASE)).toEqual(CONTENTS)
  })

  it('writes the file with mode 0600, also when replacing an existing file', async () => {
    const path = join(directory, 'mode.json')
    await writeFile(path, '{}', { mode: 0o644 })
    await writeKeystore(path, CONTENTS, PASSPHRASE)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(directory, 'original.json'))).mode & 0o777).toBe(0o600)
    expect(await readKeystore(path, PASSPHRASE)).toEqual(CONTENTS)
  })

  it('does not store the contents or the passphrase in the clear, and leaves no temporary file', async () => {
    const text = await readFile(join(directory, 'original.json'), 'utf8')
    expect(text).not.toContain(CONTENTS.deactivations[0].secret)
    expect(text).not.toContain(CONTENTS.keys[0].privateKey)
    expect(text).not.toContain(PASSPHRASE)
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('two writes of the same contents use a fresh salt and nonce', async () => {
    const path = join(directory, 'again.json')
    await writeKeystore(path, CONTENTS, PASSPHRASE)
    const again = JSON.parse(await readFile(path, 'utf8')) as StoredFile
    expect(typeof again.kdf.salt).toBe('string')
    expect(again.kdf.salt).not.toBe(original.kdf.salt)
    expect(again.cipher.nonce).not.toBe(original.cipher.nonce)
  })

  it('refuses a wrong passphrase with KeystoreError', async () => {
    const path = join(directory, 'original.json')
    for (const wrong of ['correct horse battery stapl', 'Correct horse battery staple', `${PASSPHRASE} `]) {
      expect(await rejection(readKeystore(path, wrong)), JSON.stringify(wrong)).toBeInstanceOf(KeystoreError)
    }
  })

  it('refuses an empty passphrase when writing (and writes nothing) and when reading', async () => {
    const path = join(directory, 'empty-passphrase.json')
    expect(await rejection(writeKeystore(path, CONTENTS, ''))).toBeInstanceOf(KeystoreError)
    expect((await readdir(directory)).filter((name) => name.startsWith('empty-passphrase'))).toEqual([])
    expect(await rejection(readKeystore(join(directory, 'original.json'), ''))).toBeInstanceOf(KeystoreError)
  })

  it('refuses a missing file with KeystoreError', async () => {
    expect(await rejection(readKeystore(join(directory, 'missing.json'), PASSPHRASE))).toBeInstanceOf(KeystoreError)
  })

  // Each case modifies the stored JSON; every one must end in KeystoreError, never in success
  // or in another error type.
  const shorten = (base64: unknown, bytes: number) => Buffer.from(String(base64), 'base64').subarray(0, bytes).toString('base64')
  const tamperings: [string, (file: StoredFile) => void][] = [
    ['a ciphertext bit flipped', (f) => void (f.ciphertext = flipBase64(f.ciphertext))],
    ['the ciphertext truncated', (f) => void (f.ciphertext = Buffer.from(String(f.ciphertext), 'base64').subarray(1).toString('base64'))],
    ['a tag bit flipped', (f) => void (f.cipher.tag = flipBase64(f.cipher.tag))],
    ['a nonce bit flipped', (f) => void (f.cipher.nonce = flipBase64(f.cipher.nonce))],
    ['a salt bit flipped', (f) => void (f.kdf.salt = flipBase64(f.kdf.salt))],
    ['N changed to another valid value', (f) => void (f.kdf.N = 1 << 14)],
    ['r changed', (f) => void (f.kdf.r = 4)],
    ['version changed', (f) => void (f.version = 2)],
    ['kdf name changed', (f) => void (f.kdf.name = 'pbkdf2')],
    ['kdf removed', (f) => void Reflect.deleteProperty(f, 'kdf')],
    ['N not a power of two', (f) => void (f.kdf.N = 1000)],
    ['N negative', (f) => void (f.kdf.N = -1)],
    ['N a string', (f) => void (f.kdf.N = '32768')],
    ['salt removed', (f) => void Reflect.deleteProperty(f.kdf, 'salt')],
    ['nonce emptied', (f) => void (f.cipher.nonce = '')],
    ['tag emptied', (f) => void (f.cipher.tag = '')],
    // GCM accepts tags of 4..16 bytes unless the length is pinned: a shortened tag must not pass.
    ['tag truncated to 4 bytes', (f) => void (f.cipher.tag = shorten(f.cipher.tag, 4))],
    ['tag truncated to 12 bytes', (f) => void (f.cipher.tag = shorten(f.cipher.tag, 12))],
  ]

  it.each(tamperings)('refuses a tampered file: %s', async (name, tamper) => {
    const file = structuredClone(original)
    tamper(file)
    const path = join(directory, `tampered-${name.replace(/\W+/g, '-')}.json`)
    await writeFile(path, JSON.stringify(file))
    const error = await rejection(readKeystore(path, PASSPHRASE))
    expect(error, name).toBeInstanceOf(KeystoreError)
  })

  it.each([
    ['not JSON', '{"version": 1,'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['empty', ''],
  ])('refuses a file that is %s', async (_name, text) => {
    const path = join(directory, `malformed-${_name.replace(/\W+/g, '-')}.json`)
    await writeFile(path, text)
    expect(await rejection(readKeystore(path, PASSPHRASE))).toBeInstanceOf(KeystoreError)
  })
})
