import { addPoint } from '@zk-kit/baby-jubjub'
import { beforeAll, describe, expect, it } from 'vitest'
import { FieldEncodingError } from '../../src/crypto/field.js'
import {
  generateKeypair,
  hashPublicKey,
  isOnCurve,
  KeyError,
  keypairFromPrivateKey,
  publicKeyFromString,
  publicKeyToString,
  sharedPoint,
  sign,
  signerOf,
  verify,
  verifyUnderAdmittedKey,
  type PublicKey,
} from '../../src/crypto/keys.js'
import { circomlibEddsa, circomlibPoseidon, edwardsMul, maciSeed, R, randomBytesOfLength, randomField, SUBORDER, type CircomlibEddsa } from './helpers.js'

let reference: CircomlibEddsa

beforeAll(async () => {
  reference = await circomlibEddsa()
})

describe('EdDSA-Poseidon sign / verify', () => {
  it('round-trips on random keys and messages', () => {
    for (let trial = 0; trial < 5; trial++) {
      const { privateKey, publicKey } = generateKeypair()
      const message = randomField()
      expect(verify(publicKey, message, sign(privateKey, message))).toBe(true)
    }
  })

  it('signs the edge messages 0 and r - 1, and refuses to sign anything outside the field', () => {
    const { privateKey, publicKey } = generateKeypair()
    for (const message of [0n, R - 1n]) expect(verify(publicKey, message, sign(privateKey, message))).toBe(true)
    for (const message of [-1n, R, R + 1n]) expect(() => sign(privateKey, message)).toThrow(/a signed message is a field element/)
  })

  it('refuses a changed message', () => {
    const { privateKey, publicKey } = generateKeypair()
    const message = randomField()
    const signature = sign(privateKey, message)
    expect(verify(publicKey, (message + 1n) % R, signature)).toBe(false)
    expect(verify(publicKey, randomField(), signature)).toBe(false)
  })

  it('refuses another key', () => {
    const signer = generateKeypair()
    const other = generateKeypair()
    const message = randomField()
    expect(verify(other.publicKey, message, sign(signer.privateKey, message))).toBe(false)
  })

  it('refuses a changed signature', () => {
    const { privateKey, publicKey } = generateKeypair()
    const message = randomField()
    const signature = sign(privateKey, message)
    const otherR8 = sign(privateKey, (message + 1n) % R).R8
    expect(verify(publicKey, message, { R8: signature.R8, S: (signature.S + 1n) % SUBORDER })).toBe(false)
    expect(verify(publicKey, message, { R8: otherR8, S: signature.S })).toBe(false)
    // Malleability: S + l is the same scalar but must be refused (S must be canonical).
    expect(verify(publicKey, message, { R8: signature.R8, S: signature.S + SUBORDER })).toBe(false)
    // An R8 off the curve.
    expect(verify(publicKey, message, { R8: [signature.R8[0], (signature.R8[1] + 1n) % R], S: signature.S })).toBe(false)
    // The curve points that share one of R8's coordinates: -R8 = (-x, y) and (x, -y) = -R8 plus the point of order 2.
    expect(verify(publicKey, message, { R8: [R - signature.R8[0], signature.R8[1]], S: signature.S })).toBe(false)
    expect(verify(publicKey, message, { R8: [signature.R8[0], R - signature.R8[1]], S: signature.S })).toBe(false)
  })

  it('returns false, without throwing, for a public key off the curve', () => {
    const { privateKey, publicKey } = generateKeypair()
    const message = randomField()
    const signature = sign(privateKey, message)
    const offCurve: PublicKey[] = [
      [(publicKey[0] + 1n) % R, publicKey[1]],
      [publicKey[0], (publicKey[1] + 1n) % R],
      [0n, 0n],
      // Same point modulo r, but not canonical.
      [publicKey[0] + R, publicKey[1]],
      [publicKey[0], publicKey[1] + R],
    ]
    for (const key of offCurve) {
      expect(isOnCurve(key), key.join(':')).toBe(false)
      expect(() => verify(key, message, signature)).not.toThrow()
      expect(verify(key, message, signature), key.join(':')).toBe(false)
    }
  })

  it('returns false, without throwing, for a malformed signature', () => {
    const { publicKey } = generateKeypair()
    const malformed = { R8: [1n] as unknown as [bigint, bigint], S: 1n }
    expect(() => verify(publicKey, 1n, malformed)).not.toThrow()
    expect(verify(publicKey, 1n, malformed)).toBe(false)
    // Nothing that is not two curve coordinates and a scalar below the subgroup order gets further.
    const signer = generateKeypair()
    const good = sign(signer.privateKey, 1n)
    expect(verify(signer.publicKey, 1n, good)).toBe(true)
    const notSignatures = [
      null,
      undefined,
      7,
      { R8: good.R8 },
      { R8: [good.R8[0]], S: good.S },
      { R8: [Number(good.R8[0] % 1000n), Number(good.R8[1] % 1000n)], S: good.S },
      { R8: 'R8', S: good.S },
      { R8: good.R8, S: Number(good.S % 1000n) },
      { R8: good.R8, S: -1n },
      { R8: good.R8, S: good.S - SUBORDER },
      { R8: good.R8, S: SUBORDER },
      { R8: [good.R8[0], good.R8[1] + R], S: good.S },
    ]
    for (const signature of notSignatures) {
      expect(() => verify(signer.publicKey, 1n, signature as never)).not.toThrow()
      expect(verify(signer.publicKey, 1n, signature as never)).toBe(false)
    }
  })

  it('refuses an R8 that is not exactly two bigints, even when its two coordinates would verify', () => {
    const signer = generateKeypair()
    const good = sign(signer.privateKey, 1n)
    // A third element: the first two make a valid signature, so only the length check refuses it.
    expect(verify(signer.publicKey, 1n, { R8: [...good.R8, 0n] as unknown as [bigint, bigint], S: good.S })).toBe(false)
    // One coordinate a number, the other a bigint: without the type check of each, the curve
    // arithmetic would throw instead of answering.
    for (const R8 of [[Number(good.R8[0]), good.R8[1]], [good.R8[0], Number(good.R8[1])]]) {
      expect(() => verify(signer.publicKey, 1n, { R8, S: good.S } as never)).not.toThrow()
      expect(verify(signer.publicKey, 1n, { R8, S: good.S } as never)).toBe(false)
    }
  })

  it('returns false, without throwing, for a message the hash cannot take', () => {
    const signer = generateKeypair()
    const good = sign(signer.privateKey, 1n)
    for (const message of [1.5, 'one']) {
      expect(() => verify(signer.publicKey, message as never, good)).not.toThrow()
      expect(verify(signer.publicKey, message as never, good)).toBe(false)
    }
  })

  it('refuses a forgery under a low-order public key (the identity point)', () => {
    // Under the identity A = (0, 1), the check S*B8 = R8 + 8*h*A holds for R8 = S*B8 and ANY
    // message: anyone can sign for such a key, so verify must not accept it.
    const identity: PublicKey = [0n, 1n]
    const S = randomField() % SUBORDER
    const forged = { R8: edwardsMul(reference.base8, S), S }
    // Sanity check of the local curve arithmetic: Base8 has order SUBORDER.
    expect(edwardsMul(reference.base8, SUBORDER)).toEqual([0n, 1n])
    expect(verify(identity, randomField(), forged)).toBe(false)
  })

  it('refuses the message r, which Poseidon would reduce to 0: the signature of 0 does not pass for it', () => {
    const signer = generateKeypair()
    const ofZero = sign(signer.privateKey, 0n)
    expect(verify(signer.publicKey, 0n, ofZero)).toBe(true)
    expect(verify(signer.publicKey, R, ofZero)).toBe(false)
    expect(verifyUnderAdmittedKey(signer.publicKey, R, ofZero)).toBe(false)
  })

  it('verifyUnderAdmittedKey agrees with verify under a key in the subgroup, and still refuses the points with x = 0 and keys off the curve', () => {
    const signer = generateKeypair()
    const message = randomField()
    const good = sign(signer.privateKey, message)
    expect(verifyUnderAdmittedKey(signer.publicKey, message, good)).toBe(true)
    expect(verifyUnderAdmittedKey(signer.publicKey, message + 1n, good)).toBe(false)
    expect(verifyUnderAdmittedKey(generateKeypair().publicKey, message, good)).toBe(false)
    // The forgery R8 = S * B8 holds under the identity, and under the order-2 point for half the messages:
    // only the x = 0 test refuses them here, since the subgroup check is left out.
    const S = randomField() % SUBORDER
    const forged = { R8: edwardsMul(reference.base8, S), S }
    for (const key of [[0n, 1n], [0n, R - 1n]] as PublicKey[]) expect(verifyUnderAdmittedKey(key, randomField(), forged)).toBe(false)
    for (const key of [[1n, 2n], [signer.publicKey[0], signer.publicKey[1] + 1n]] as PublicKey[]) {
      expect(() => verifyUnderAdmittedKey(key, message, good)).not.toThrow()
      expect(verifyUnderAdmittedKey(key, message, good)).toBe(false)
    }
  })

  it('refuses a low-order point as a public key string', () => {
    // (0, 1) has order 1 and (0, r - 1) order 2: both lie on the curve but outside the
    // prime-order subgroup, and signatures under them are forgeable (see above).
    expect(() => publicKeyFromString('0:1')).toThrow(/not on BabyJubJub/)
    expect(() => publicKeyFromString('1:2:3')).toThrow(/written "x:y"/)
    expect(() => publicKeyFromString(`0:${R - 1n}`)).toThrow(KeyError)
  })

  it('rejects a private key that is not 32 bytes', () => {
    expect(() => keypairFromPrivateKey(new Uint8Array(31))).toThrow(KeyError)
    expect(() => keypairFromPrivateKey(new Uint8Array(33))).toThrow(/a private key is 32 bytes/)
    expect(() => keypairFromPrivateKey(new Uint8Array(33))).toThrow(expect.objectContaining({ name: 'KeyError', code: 'KEY' }))
  })
})

describe('compatibility with circomlibjs (independent EdDSA-Poseidon implementation)', () => {
  it('derives the same public key from the same private key', () => {
    for (let trial = 0; trial < 5; trial++) {
      const privateKey = randomBytesOfLength(32)
      expect(keypairFromPrivateKey(privateKey).publicKey).toEqual(reference.prv2pub(maciSeed(privateKey)))
    }
    expect(keypairFromPrivateKey(new Uint8Array(32)).publicKey).toEqual(reference.prv2pub(maciSeed(new Uint8Array(32))))
    expect(keypairFromPrivateKey(new Uint8Array(32).fill(0xff)).publicKey).toEqual(reference.prv2pub(maciSeed(new Uint8Array(32).fill(0xff))))
  })

  it('produces the same signature as circomlibjs signPoseidon', () => {
    for (let trial = 0; trial < 5; trial++) {
      const privateKey = randomBytesOfLength(32)
      const message = randomField()
      expect(sign(privateKey, message)).toEqual(reference.signPoseidon(maciSeed(privateKey), message))
    }
  })

  it('signerOf signs as circomlibjs signPoseidon, message after message, and refuses what sign refuses', () => {
    const privateKey = randomBytesOfLength(32)
    const signer = signerOf(privateKey)
    for (const message of [randomField(), randomField(), 0n, R - 1n]) {
      expect(signer(message)).toEqual(reference.signPoseidon(maciSeed(privateKey), message))
    }
    for (const message of [-1n, R]) expect(() => signer(message)).toThrow(/a signed message is a field element/)
  })

  it('each side verifies the other side\'s signatures', () => {
    const { privateKey, publicKey } = generateKeypair()
    const message = randomField()
    expect(reference.verifyPoseidon(message, sign(privateKey, message), publicKey)).toBe(true)
    expect(verify(publicKey, message, reference.signPoseidon(maciSeed(privateKey), message))).toBe(true)
  })

  it('sharedPoint is 8 times the secret scalar times the point; on Base8 that is 8 times the public key', () => {
    const { privateKey, publicKey } = generateKeypair()
    expect(sharedPoint(privateKey, reference.base8)).toEqual(reference.multiply(publicKey, 8n))
  })

  it('sharedPoint ignores a small-order part of the peer key and refuses a small-order key', () => {
    const { privateKey } = generateKeypair()
    const peer = generateKeypair().publicKey
    const orderTwo: [bigint, bigint] = [0n, R - 1n]
    const mixed = addPoint([peer[0], peer[1]], orderTwo)
    expect(mixed).not.toEqual([peer[0], peer[1]])
    expect(sharedPoint(privateKey, [mixed[0], mixed[1]])).toEqual(sharedPoint(privateKey, peer))
    expect(() => sharedPoint(privateKey, orderTwo)).toThrow(/small order/)
  })

  it('hashPublicKey is Poseidon(x, y) as computed by circomlibjs', async () => {
    const poseidon = await circomlibPoseidon()
    const { publicKey } = generateKeypair()
    expect(hashPublicKey(publicKey)).toBe(poseidon.hash([publicKey[0], publicKey[1]]))
  })
})

describe('public key strings', () => {
  it('round-trips through publicKeyToString / publicKeyFromString', () => {
    for (let trial = 0; trial < 3; trial++) {
      const { publicKey } = generateKeypair()
      const text = publicKeyToString(publicKey)
      expect(text).toBe(`${publicKey[0]}:${publicKey[1]}`)
      expect(publicKeyFromString(text)).toEqual(publicKey)
    }
  })

  it('rejects malformed strings', () => {
    const { publicKey } = generateKeypair()
    const [x, y] = publicKey
    const malformed = [
      '',
      ':',
      `${x}`,
      `${x}:`,
      `:${y}`,
      `${x}:${y}:1`,
      `${x} :${y}`,
      ` ${x}:${y}`,
      `${x}:${y}\n`,
      `+${x}:${y}`,
      `-${x}:${y}`,
      `0x${x.toString(16)}:${y}`,
      `${x}:${y}.0`,
      `${x};${y}`,
      `${x + R}:${y}`, // not canonical
      `${x}:${y + R}`,
      `${(x + 1n) % R}:${y}`, // off the curve
      '0:0',
      `${'9'.repeat(100)}:${y}`,
    ]
    for (const text of malformed) {
      let error: unknown
      try {
        publicKeyFromString(text)
      } catch (caught) {
        error = caught
      }
      expect(error instanceof KeyError || error instanceof FieldEncodingError, JSON.stringify(text)).toBe(true)
    }
  })
})

describe('sharedPoint (BabyJubJub ECDH)', () => {
  it('is symmetric', () => {
    for (let trial = 0; trial < 3; trial++) {
      const a = generateKeypair()
      const b = generateKeypair()
      const ab = sharedPoint(a.privateKey, b.publicKey)
      expect(ab).toEqual(sharedPoint(b.privateKey, a.publicKey))
      expect(isOnCurve([ab[0], ab[1]])).toBe(true)
    }
  })

  it('differs for different peers', () => {
    const a = generateKeypair()
    expect(sharedPoint(a.privateKey, generateKeypair().publicKey)).not.toEqual(sharedPoint(a.privateKey, generateKeypair().publicKey))
  })

  it('throws KeyError for a point off the curve, or one written with a coordinate not reduced mod r', () => {
    const a = generateKeypair()
    const [x, y] = generateKeypair().publicKey
    expect(() => sharedPoint(a.privateKey, [x, (y + 1n) % R])).toThrow(KeyError)
    expect(() => sharedPoint(a.privateKey, [x + R, y])).toThrow(/not on BabyJubJub/)
    expect(() => sharedPoint(a.privateKey, [x, y + R])).toThrow(/not on BabyJubJub/)
  })
})
