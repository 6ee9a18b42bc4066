/** Signed roots (src/crypto/root-signature.ts): the tree size is part of what is signed and must be a positive integer. */
import { describe, expect, it } from 'vitest'
import { generateKeypair, sign } from '../../src/crypto/keys.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { decodeSignedRoot, encodeSignedRoot, ROOT_DOMAIN, rootSignerOf, signRoot, SignedRootError, SIGNED_ROOT_BYTES, verifySignedRoot } from '../../src/crypto/root-signature.js'

const keys = generateKeypair()
const BAD_SIZES = [0, -1, 1.5, Number.NaN, 2 ** 53]

describe('signed roots and their sizes', () => {
  it('refuses to sign or decode a root for a size that is not a positive safe integer', () => {
    for (const size of BAD_SIZES) {
      expect(() => signRoot(keys.privateKey, size, 1n)).toThrow(/tree size is a positive integer/)
      expect(() => decodeSignedRoot(encodeSignedRoot(signRoot(keys.privateKey, 1, 1n)), size)).toThrow(SignedRootError)
    }
    expect(() => signRoot(keys.privateKey, 0, 1n)).toThrow(expect.objectContaining({ name: 'SignedRootError' }))
  })

  it('signs poseidon(ROOT_DOMAIN, size, root) with the key, the same for one root as for a signer kept for many', () => {
    const signer = rootSignerOf(keys.privateKey)
    for (const [size, root] of [[1, 7n], [2, 7n], [3, 123456789n]] as const) {
      const expected = { size, root, signature: sign(keys.privateKey, poseidon([ROOT_DOMAIN, BigInt(size), root])) }
      expect(signer(size, root)).toEqual(expected)
      expect(signRoot(keys.privateKey, size, root)).toEqual(expected)
    }
    for (const size of BAD_SIZES) expect(() => signer(size, 1n)).toThrow(/tree size is a positive integer/)
  })

  it('does not accept a signature over a bad size, even one the operator key made', () => {
    for (const size of [0, -1, 1.5]) {
      const digest = poseidon([ROOT_DOMAIN, BigInt(Math.floor(size) < 0 ? 0 : Math.floor(size)), 7n])
      const signed = { size, root: 7n, signature: sign(keys.privateKey, digest) }
      expect(verifySignedRoot(keys.publicKey, signed)).toBe(false)
    }
    // The same signature at size 0 would verify without the size check: the digest is the same.
    const zero = { size: 0, root: 7n, signature: sign(keys.privateKey, poseidon([ROOT_DOMAIN, 0n, 7n])) }
    expect(verifySignedRoot(keys.publicKey, zero)).toBe(false)
    expect(verifySignedRoot(keys.publicKey, signRoot(keys.privateKey, 1, 7n))).toBe(true)
  })

  it('names what is wrong with an encoding: its length, or a field at a size', () => {
    const bytes = encodeSignedRoot(signRoot(keys.privateKey, 3, 9n))
    expect(() => decodeSignedRoot(bytes.subarray(1), 3)).toThrow(new RegExp(`a signed root is ${SIGNED_ROOT_BYTES} bytes, got ${SIGNED_ROOT_BYTES - 1}`))
    expect(() => decodeSignedRoot(Uint8Array.of(...bytes, 0), 3)).toThrow(/bytes, got 129/)
    expect(() => decodeSignedRoot(new Uint8Array(SIGNED_ROOT_BYTES).fill(0xff), 3)).toThrow(/signed root for size 3: /)
  })
})
