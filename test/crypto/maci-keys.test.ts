/**
 * Issue 13, scope 4: maci-anon's keys are MACI's. Every known answer here was made by MACI
 * 3.0.0's own packages (test/crypto/maci-vectors.ts, scripts/make-maci-key-vectors.ts):
 * the public key of a private key, macisk and macipk both ways, the secret scalar,
 * signatures (sign gives the same R8 and S, verify accepts MACI's), and ECDH, where
 * sharedPoint is 8 times MACI's generateEcdhSharedKey because it clears the cofactor.
 */
import { describe, expect, it } from 'vitest'
import { affine as toAffine, Noble as Point } from './noble-babyjubjub.js'
import { generateKeypair, KeyError, keypairFromPrivateKey, sharedPoint, sign, verify, type PublicKey } from '../../src/crypto/keys.js'
import { decodePrivateKey, decodePublicKey, encodePrivateKey, encodePublicKey } from '../../src/crypto/maci-key-format.js'
import { curvePointWithY, edwardsAdd, edwardsMul, pointOfOrderEight, R, randomField, SUBORDER } from './helpers.js'
import { madeBy, maciVector, maciVectors } from './maci-vectors.js'
import { zkKit } from './zk-kit-reference.js'

const BASE8: PublicKey = toAffine(Point.BASE)
const SIGN_BIT = 1n << 255n
const macipkOf = (packed: bigint) => `macipk.${packed.toString(16).padStart(64, '0')}`

describe('the known answers', () => {
  it('were made by MACI 3.0.0 and cover the edge cases', () => {
    expect(madeBy.packages['@maci-protocol/crypto']).toBe('3.0.0')
    expect(madeBy.packages['@maci-protocol/domainobjs']).toBe('3.0.0')
    expect(maciVectors.length).toBeGreaterThanOrEqual(12)
    // Small keys, leading zero bytes, a macipk of fewer than 64 digits, one MACI padded to even length.
    expect(maciVector('one').macisk).toBe(`macisk.${'0'.repeat(63)}1`)
    expect(Buffer.from(maciVector('three leading zero bytes').privateKey.subarray(0, 3)).equals(Buffer.alloc(3))).toBe(true)
    expect(maciVector('short macipk').macipk.length).toBeLessThan('macipk.'.length + 64)
    expect(maciVector('zero').packedPublicKey.toString(16).length % 2).toBe(1)
  })
})

describe.each(maciVectors.map((vector) => [vector.label, vector] as const))('MACI key "%s"', (_label, vector) => {
  it('derives MACI\'s public key, whose secret scalar is MACI\'s formatPrivateKeyForBabyJub', () => {
    expect(keypairFromPrivateKey(vector.privateKey).publicKey).toEqual(vector.publicKey)
    expect(toAffine(Point.BASE.multiply(vector.secretScalar))).toEqual(vector.publicKey)
    // sharedPoint's scalar is the same one: 8·k·B8 = 8·A.
    expect(sharedPoint(vector.privateKey, BASE8)).toEqual(edwardsMul(vector.publicKey, 8n))
  })

  it('writes and reads macisk as MACI does', () => {
    expect(encodePrivateKey(vector.privateKey)).toBe(vector.macisk)
    expect(decodePrivateKey(vector.macisk)).toEqual(vector.privateKey)
    expect(decodePrivateKey(vector.macisk.toUpperCase().replace('MACISK.', 'macisk.'))).toEqual(vector.privateKey)
  })

  it('writes and reads macipk as MACI does (zk-kit packPublicKey in hex)', () => {
    expect(BigInt(`0x${vector.macipk.slice('macipk.'.length)}`)).toBe(vector.packedPublicKey)
    expect(encodePublicKey(vector.publicKey)).toBe(vector.macipk)
    expect(decodePublicKey(vector.macipk)).toEqual(vector.publicKey)
    expect(decodePublicKey(macipkOf(vector.packedPublicKey))).toEqual(vector.publicKey)
  })

  it('signs as MACI does, R8 and S, and verifies MACI\'s signatures', () => {
    for (const { message, signature } of vector.signatures) {
      expect(sign(vector.privateKey, message)).toEqual(signature)
      expect(verify(vector.publicKey, message, signature)).toBe(true)
      expect(verify(vector.publicKey, (message + 1n) % R, signature)).toBe(false)
    }
  })

  it('agrees a point 8 times MACI\'s generateEcdhSharedKey with the peer key', () => {
    const peer = maciVectors[vector.ecdh.peer]
    // MACI's ECDH is k·P, with k its secret scalar; maci-anon's clears the cofactor.
    expect(edwardsMul(peer.publicKey, vector.secretScalar)).toEqual(vector.ecdh.shared)
    expect(edwardsMul(vector.ecdh.shared, 8n)).toEqual(vector.ecdh.cofactorCleared)
    expect(sharedPoint(vector.privateKey, peer.publicKey)).toEqual(vector.ecdh.cofactorCleared)
    expect(sharedPoint(peer.privateKey, vector.publicKey)).toEqual(vector.ecdh.cofactorCleared)
  })
})

describe('macipk against zk-kit\'s packPublicKey and unpackPublicKey (what MACI calls), on random keys', () => {
  it('packs and unpacks as zk-kit does', () => {
    for (let trial = 0; trial < 16; trial++) {
      const { publicKey } = generateKeypair()
      const packed = BigInt(zkKit.packPublicKey([publicKey[0], publicKey[1]]))
      const hex = packed.toString(16)
      const text = `macipk.${hex.length % 2 === 0 ? hex : `0${hex}`}`
      expect(encodePublicKey(publicKey)).toBe(text)
      expect(decodePublicKey(text)).toEqual(publicKey)
      expect(zkKit.unpackPublicKey(packed)).toEqual([publicKey[0], publicKey[1]])
    }
  })
})

describe('decoding refuses what is not a usable key, with KeyError', () => {
  const expectKeyError = (action: () => unknown, label: string) => {
    let error: unknown
    try {
      action()
    } catch (caught) {
      error = caught
    }
    expect(error, label).toBeInstanceOf(KeyError)
    return error as KeyError
  }

  it('refuses malformed macipk text', () => {
    const good = maciVector('random 1').macipk
    const body = good.slice('macipk.'.length)
    for (const text of ['', 'macipk.', body, `macisk.${body}`, `MACIPK.${body}`, `${good}0`.padEnd(7 + 65, '0'), `macipk.${body.slice(0, -1)}g`, ` ${good}`, `${good}\n`, `macipk.0x${body}`]) {
      expectKeyError(() => decodePublicKey(text), JSON.stringify(text))
    }
  })

  it('refuses y >= r, a y with no point, and points outside the prime-order subgroup', () => {
    const { publicKey } = generateKeypair()
    let noPoint = 2n
    while (curvePointWithY(noPoint) !== undefined) noPoint++
    const eight = pointOfOrderEight()
    const orderFour = curvePointWithY(0n)
    expect(orderFour).toBeDefined()
    const offSubgroup: Array<[string, readonly [bigint, bigint]]> = [
      ['identity', [0n, 1n]],
      ['order 2', [0n, R - 1n]],
      ['order 4', orderFour as [bigint, bigint]],
      ['order 8', eight],
      ['key plus order 2', edwardsAdd(publicKey, [0n, R - 1n])],
      ['key plus order 8', edwardsAdd(publicKey, eight)],
    ]
    for (const [label, [x, y]] of offSubgroup) {
      const packed = x > (R - 1n) / 2n ? y | SIGN_BIT : y
      // On the curve (8·l·P is the identity), and not of order l.
      expect(edwardsMul([x, y], 8n * SUBORDER), label).toEqual([0n, 1n])
      if (label !== 'identity') expect(edwardsMul([x, y], SUBORDER), label).not.toEqual([0n, 1n])
      expectKeyError(() => decodePublicKey(macipkOf(packed)), label)
      expectKeyError(() => encodePublicKey([x, y]), label)
    }
    for (const [label, packed] of [
      ['y = r', R],
      ['y = r, sign bit', R | SIGN_BIT],
      ['y = 2^255 - 1', SIGN_BIT - 1n],
      ['no x for this y', noPoint],
      ['no x for this y, sign bit', noPoint | SIGN_BIT],
    ] as const) {
      expectKeyError(() => decodePublicKey(macipkOf(packed)), label)
    }
  })

  it('refuses malformed macisk text without repeating it', () => {
    const secret = maciVector('random 2').macisk
    const body = secret.slice('macisk.'.length)
    for (const text of ['', 'macisk.', body, `macipk.${body}`, `macisk.${body.slice(1)}`, `macisk.${body}0`, `macisk.${body.slice(0, -1)}g`, `${secret}\n`, `macisk.0x${body.slice(2)}`]) {
      const error = expectKeyError(() => decodePrivateKey(text), JSON.stringify(text))
      expect(error.message).not.toContain(body.slice(8, 24))
    }
  })

  it('refuses a random field element as macipk about half the time, never with another error', () => {
    let refused = 0
    for (let trial = 0; trial < 32; trial++) {
      try {
        decodePublicKey(macipkOf(randomField()))
      } catch (error) {
        expect(error).toBeInstanceOf(KeyError)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(0)
  })
})
