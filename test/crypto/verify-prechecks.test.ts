/**
 * verify's own range checks on S (src/crypto/keys.ts), issue 14. noble refuses scalars
 * outside [0, l) in multiplyUnsafe, and verify's `catch` turns that into false, so a
 * non-canonical S would be refused even without verify's checks, by a library detail that
 * another version or library (one that reduced scalars mod l, making S + l and S - l verify)
 * need not share. Here the hash is watched: a signature refused by verify's own checks never
 * reaches Poseidon, which the equation computes first.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { generateKeypair, sign, verify } from '../../src/crypto/keys.js'
import * as hashing from '../../src/crypto/poseidon.js'
import { Fr } from '../../src/crypto/field.js'
import { randomField, SUBORDER } from './helpers.js'

vi.mock('../../src/crypto/poseidon.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/crypto/poseidon.js')>()
  return { ...actual, poseidon: vi.fn(actual.poseidon) }
})

const hashed = vi.mocked(hashing.poseidon)

describe('verify refuses a non-canonical S itself', () => {
  beforeEach(() => {
    hashed.mockClear()
  })

  it('a valid signature is hashed once, so the watch sees the equation', () => {
    const signer = generateKeypair()
    const message = randomField()
    const good = sign(signer.privateKey, message)
    hashed.mockClear()
    expect(verify(signer.publicKey, message, good)).toBe(true)
    expect(hashed).toHaveBeenCalledTimes(1)
  })

  it('S + l, S - l, l, -l and S as a number are refused before the equation', () => {
    const signer = generateKeypair()
    const message = randomField()
    const good = sign(signer.privateKey, message)
    // The public key's subgroup check is cached from here on, so it adds no hash either.
    expect(verify(signer.publicKey, message, good)).toBe(true)
    for (const S of [good.S + SUBORDER, good.S - SUBORDER, SUBORDER, -SUBORDER, Number(good.S)]) {
      hashed.mockClear()
      expect(verify(signer.publicKey, message, { R8: good.R8, S } as never), String(S)).toBe(false)
      expect(hashed, String(S)).not.toHaveBeenCalled()
    }
  })
})

describe('verify refuses a message outside the field', () => {
  it('message + r, message - r and a negative message do not pass for the message signed', () => {
    const signer = generateKeypair()
    const message = randomField()
    const good = sign(signer.privateKey, message)
    expect(verify(signer.publicKey, message, good)).toBe(true)
    for (const other of [message + Fr.ORDER, message - Fr.ORDER, -1n]) expect(verify(signer.publicKey, other, good)).toBe(false)
    expect(verify(signer.publicKey, Number(message) as unknown as bigint, good)).toBe(false)
  })
})
