import { describe, expect, it } from 'vitest'
import { CIPHERTEXT_OVERHEAD, decryptWith, DecryptionError, encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { randomBytesOfLength, randomInt } from './helpers.js'
import { maciEcies, maciVectors } from './maci-vectors.js'
import { zkKitDecrypt, zkKitEncrypt } from './zk-kit-reference.js'

const CONTEXT = 'deactivation'

function expectDecryptionError(action: () => unknown, label: string): void {
  let error: unknown
  try {
    action()
  } catch (caught) {
    error = caught
  }
  expect(error, label).toBeInstanceOf(DecryptionError)
}

describe('ECIES encryption to a BabyJubJub key', () => {
  const recipient = generateKeypair()

  it('round-trips plaintexts of several lengths', () => {
    for (const length of [0, 1, 31, 225, 1000]) {
      const plaintext = randomBytesOfLength(length)
      const ciphertext = encryptTo(recipient.publicKey, plaintext, CONTEXT)
      expect(Buffer.from(decryptWith(recipient.privateKey, ciphertext, CONTEXT)).equals(Buffer.from(plaintext))).toBe(true)
    }
  })

  it('has length plaintext + CIPHERTEXT_OVERHEAD, and the overhead is 32 + 32 + 12 + 16 bytes', () => {
    expect(CIPHERTEXT_OVERHEAD).toBe(92)
    for (const length of [0, 1, 225, 777]) {
      expect(encryptTo(recipient.publicKey, randomBytesOfLength(length), CONTEXT).length).toBe(length + CIPHERTEXT_OVERHEAD)
    }
  })

  it('hides the plaintext: two encryptions of the same plaintext differ', () => {
    const plaintext = randomBytesOfLength(64)
    const a = Buffer.from(encryptTo(recipient.publicKey, plaintext, CONTEXT))
    const b = Buffer.from(encryptTo(recipient.publicKey, plaintext, CONTEXT))
    expect(a.equals(b)).toBe(false)
    // The ephemeral key differs, and so does the encrypted body.
    expect(a.subarray(0, 64).equals(b.subarray(0, 64))).toBe(false)
    expect(a.subarray(76).equals(b.subarray(76))).toBe(false)
    // The plaintext does not appear in the clear.
    expect(a.includes(Buffer.from(plaintext))).toBe(false)
  })

  it('refuses the wrong private key', () => {
    const ciphertext = encryptTo(recipient.publicKey, randomBytesOfLength(100), CONTEXT)
    expectDecryptionError(() => decryptWith(generateKeypair().privateKey, ciphertext, CONTEXT), 'other key')
  })

  it('refuses the wrong context', () => {
    const ciphertext = encryptTo(recipient.publicKey, randomBytesOfLength(100), CONTEXT)
    for (const context of ['vote', '', 'deactivation ', 'Deactivation', 'deactivatio']) {
      expectDecryptionError(() => decryptWith(recipient.privateKey, ciphertext, context), JSON.stringify(context))
    }
  })

  it('refuses a flipped byte anywhere (header, body, tag)', () => {
    const plaintext = randomBytesOfLength(20)
    const ciphertext = encryptTo(recipient.publicKey, plaintext, CONTEXT)
    for (let position = 0; position < ciphertext.length; position++) {
      const tampered = Uint8Array.from(ciphertext)
      tampered[position] ^= 1 << randomInt(8)
      expectDecryptionError(() => decryptWith(recipient.privateKey, tampered, CONTEXT), `byte ${position}`)
    }
  })

  it('refuses truncated and extended ciphertexts', () => {
    const ciphertext = encryptTo(recipient.publicKey, randomBytesOfLength(20), CONTEXT)
    for (let length = 0; length < ciphertext.length; length++) {
      expectDecryptionError(() => decryptWith(recipient.privateKey, ciphertext.subarray(0, length), CONTEXT), `first ${length} bytes`)
      expectDecryptionError(() => decryptWith(recipient.privateKey, ciphertext.subarray(ciphertext.length - length), CONTEXT), `last ${length} bytes`)
    }
    const extended = new Uint8Array(ciphertext.length + 1)
    extended.set(ciphertext)
    expectDecryptionError(() => decryptWith(recipient.privateKey, extended, CONTEXT), 'one byte appended')
  })

  it('refuses an ephemeral key that is off the curve or not canonical', () => {
    const ciphertext = encryptTo(recipient.publicKey, randomBytesOfLength(20), CONTEXT)
    const allOnes = Uint8Array.from(ciphertext)
    allOnes.fill(0xff, 0, 32)
    expectDecryptionError(() => decryptWith(recipient.privateKey, allOnes, CONTEXT), 'x = 2^256 - 1')
    const zeros = Uint8Array.from(ciphertext)
    zeros.fill(0, 0, 64)
    expectDecryptionError(() => decryptWith(recipient.privateKey, zeros, CONTEXT), 'point (0, 0)')
  })

  it('opens a ciphertext made with MACI\'s keys and ECDH, a known answer', () => {
    // The wire format written out by scripts/make-maci-key-vectors.ts around MACI's
    // generateEcdhSharedKey (times 8), to the key of this private key, in the vote context.
    const privateKey = maciVectors[maciEcies.recipient].privateKey
    const ciphertext = maciEcies.ciphertext
    expect(maciEcies.context).toBe('vote')
    expect(Buffer.from(decryptWith(privateKey, ciphertext, 'vote')).toString()).toBe('maci-anon known answer')
    expectDecryptionError(() => decryptWith(privateKey, ciphertext, CONTEXT), 'other context')
  })

  it('interoperates with zk-kit ECDH both ways, on random keys and plaintexts', () => {
    for (let trial = 0; trial < 4; trial++) {
      const keypair = generateKeypair()
      const plaintext = randomBytesOfLength(225)
      const old = zkKitEncrypt(keypair.publicKey, plaintext, CONTEXT)
      expect(Buffer.from(decryptWith(keypair.privateKey, old, CONTEXT)).equals(Buffer.from(plaintext))).toBe(true)
      const ours = encryptTo(keypair.publicKey, plaintext, CONTEXT)
      expect(Buffer.from(zkKitDecrypt(keypair.privateKey, ours, CONTEXT)).equals(Buffer.from(plaintext))).toBe(true)
    }
  })
})
