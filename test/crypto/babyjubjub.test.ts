/**
 * Known answers for src/crypto/babyjubjub.ts, the wasm arithmetic of wasm-babyjubjub.ts and
 * the key operations built on them: every result must equal zk-kit's (the arithmetic they
 * replaced) and circomlibjs's (an independent implementation), on random inputs and on the points that break careless code: the
 * identity, the torsion points of orders 2, 4 and 8, and subgroup points plus torsion.
 */
import { addPoint, Base8, inCurve, mulPointEscalar, subOrder } from '@zk-kit/baby-jubjub'
import { blake512 } from '@noble/hashes/blake1.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { isCurvePoint } from '../../src/crypto/babyjubjub.js'
import { Fr } from '../../src/crypto/field.js'
import { generateKeypair, keypairFromPrivateKey, sharedPoint, sign, verify, type PublicKey } from '../../src/crypto/keys.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import * as wasm from '../../src/crypto/wasm-babyjubjub.js'
import { SUBGROUP_ORDER } from '../../src/crypto/wasm-babyjubjub.js'
import { affine as toAffine, noble, Noble as Point, nobleInPrimeSubgroup } from './noble-babyjubjub.js'
import {
  circomlibEddsa,
  curvePointWithY,
  edwardsAdd,
  edwardsMul,
  maciSeed,
  pointOfOrderEight,
  R,
  randomBytesOfLength,
  randomField,
  SUBORDER,
  type CircomlibEddsa,
  type CurvePoint,
} from './helpers.js'
import { maciVector, maciVectors } from './maci-vectors.js'
import { zkKit, zkKitIsUsableKey, zkKitSharedPoint, zkKitVerify } from './zk-kit-reference.js'

let circomlib: CircomlibEddsa
beforeAll(async () => {
  circomlib = await circomlibEddsa()
})

const eight = pointOfOrderEight()
/** k·T for T of order 8, k = 0 .. 7: the identity, then orders 8, 4, 8, 2, 8, 4, 8. */
const torsion: CurvePoint[] = Array.from({ length: 8 }, (_, k) => edwardsMul(eight, BigInt(k)))
const randomScalar = () => randomField() % SUBORDER
const randomSubgroupPoint = (): CurvePoint => toAffine(Point.BASE.multiply(randomScalar() || 1n))

/** A point of the whole group of order 8·l, found from a random y: usually with a torsion part. */
function randomCurvePoint(): CurvePoint {
  for (;;) {
    const point = curvePointWithY(randomField())
    if (point !== undefined) return point
  }
}

/** A random point with a torsion part: one curve point in eight lies in the subgroup, so those are drawn again. */
function randomPointOutsideSubgroup(): CurvePoint {
  for (;;) {
    const point = randomCurvePoint()
    if (mulPointEscalar(point, subOrder).join() !== '0,1') return point
  }
}

describe('BabyJubJub parameters', () => {
  it('are zk-kit\'s and circomlib\'s: B8, l and the field', () => {
    expect(toAffine(Point.BASE)).toEqual([Base8[0], Base8[1]])
    expect(toAffine(Point.BASE)).toEqual(circomlib.base8)
    expect(SUBGROUP_ORDER).toBe(subOrder)
    expect(SUBGROUP_ORDER).toBe(SUBORDER)
    expect(Fr.ORDER).toBe(R)
    expect(edwardsMul(circomlib.base8, SUBORDER)).toEqual([0n, 1n])
    expect(Point.BASE.multiplyUnsafe(SUBGROUP_ORDER - 1n).add(Point.BASE).is0()).toBe(true)
  })
})

describe('curve arithmetic against zk-kit and circomlibjs', () => {
  it('multiplies the base point like zk-kit and circomlibjs, in constant time and not', () => {
    for (let trial = 0; trial < 6; trial++) {
      const scalar = randomScalar()
      const expected = mulPointEscalar(Base8, scalar)
      expect(toAffine(Point.BASE.multiply(scalar))).toEqual(expected)
      expect(toAffine(Point.BASE.multiplyUnsafe(scalar))).toEqual(expected)
      expect(wasm.multiplyBase(scalar)).toEqual(expected)
      expect(circomlib.multiply(circomlib.base8, scalar)).toEqual(expected)
    }
  })

  it('multiplies arbitrary curve points, torsion parts included, like zk-kit', () => {
    const points = [randomSubgroupPoint(), randomSubgroupPoint(), randomCurvePoint(), randomCurvePoint(), ...torsion.slice(1, 4)]
    for (const point of points) {
      const scalar = randomScalar()
      const expected = mulPointEscalar(point, scalar)
      expect(toAffine(noble(point).multiply(scalar)), point.join(':')).toEqual(expected)
      expect(toAffine(noble(point).multiplyUnsafe(scalar)), point.join(':')).toEqual(expected)
      expect(wasm.multiplySecret(point, scalar), point.join(':')).toEqual(expected)
      expect(wasm.multiplyPublic(point, scalar), point.join(':')).toEqual(expected)
    }
  })

  it('adds like zk-kit, for subgroup, torsion and mixed points, doubling included', () => {
    const points = [randomSubgroupPoint(), randomCurvePoint(), randomCurvePoint(), ...torsion]
    for (const p of points) {
      for (const q of [randomSubgroupPoint(), randomCurvePoint(), p, torsion[4], torsion[1]]) {
        const expected = addPoint([p[0], p[1]], [q[0], q[1]])
        expect(toAffine(noble(p).add(noble(q)))).toEqual(expected)
        expect(wasm.add(p, q)).toEqual(expected)
        expect(edwardsAdd(p, q)).toEqual(expected)
      }
    }
  })

  it('finds the same subgroup members as zk-kit\'s l·P, and refuses the identity', () => {
    const members = [randomSubgroupPoint(), randomSubgroupPoint(), toAffine(Point.BASE)]
    const others = [...torsion, randomPointOutsideSubgroup(), randomPointOutsideSubgroup(), ...torsion.slice(1).map((t) => edwardsAdd(members[0], t))]
    for (const point of members) {
      expect(nobleInPrimeSubgroup(point)).toBe(true)
      expect(wasm.isInPrimeSubgroup(point)).toBe(true)
      expect(zkKitIsUsableKey(point)).toBe(true)
    }
    for (const point of others) {
      const zkKitMember = mulPointEscalar(point, subOrder).join() === '0,1' && point.join() !== '0,1'
      expect(nobleInPrimeSubgroup(point), point.join(':')).toBe(zkKitMember)
      expect(wasm.isInPrimeSubgroup(point), point.join(':')).toBe(zkKitMember)
      expect(zkKitMember).toBe(false)
    }
  })

  it('checks the curve equation like zk-kit\'s inCurve, and refuses non-canonical coordinates', () => {
    const point = randomCurvePoint()
    const cases: CurvePoint[] = [point, [point[0], (point[1] + 1n) % R], [(point[0] + 1n) % R, point[1]], [0n, 1n], [0n, R - 1n], [0n, 0n], [1n, 1n]]
    for (const [x, y] of cases) expect(isCurvePoint(x, y), `${x}:${y}`).toBe(inCurve([x, y]))
    // zk-kit reduces mod r and so would accept these; every decoder here refuses them first.
    for (const [x, y] of [[point[0] + R, point[1]], [point[0], point[1] + R], [point[0] - R, point[1]], [-1n, 0n]]) {
      expect(isCurvePoint(x, y)).toBe(false)
    }
  })
})

/**
 * Made by MACI 3.0.0's packages (test/crypto/maci-vectors.ts): a key's public key, its
 * signature of a message, and 8 times its ECDH point with a second key (sharedPoint clears
 * the cofactor).
 */
const KNOWN = (() => {
  const key = maciVector('earlier known answer, key 1')
  const peer = maciVector('earlier known answer, key 2')
  const { message, signature } = key.signatures[4]
  if (maciVectors[key.ecdh.peer] !== peer) throw new Error('the fixture pairs other keys')
  return {
    privateKey: Buffer.from(key.privateKey).toString('hex'),
    publicKey: key.publicKey,
    message,
    signature,
    peerPrivateKey: Buffer.from(peer.privateKey).toString('hex'),
    shared: key.ecdh.cofactorCleared,
  }
})()

const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'))

describe('keys.ts on the new arithmetic, against the zk-kit code it replaced', () => {
  it('reproduces known answers made by MACI\'s packages', () => {
    const privateKey = hexBytes(KNOWN.privateKey)
    const peer = keypairFromPrivateKey(hexBytes(KNOWN.peerPrivateKey))
    expect(keypairFromPrivateKey(privateKey).publicKey).toEqual(KNOWN.publicKey)
    expect(sign(privateKey, KNOWN.message)).toEqual(KNOWN.signature)
    expect(verify(KNOWN.publicKey, KNOWN.message, { R8: [...KNOWN.signature.R8], S: KNOWN.signature.S })).toBe(true)
    expect(sharedPoint(privateKey, peer.publicKey)).toEqual(KNOWN.shared)
    expect(sharedPoint(hexBytes(KNOWN.peerPrivateKey), KNOWN.publicKey)).toEqual(KNOWN.shared)
  })

  it('derives the public keys and signatures of zk-kit and circomlibjs on random keys and messages', () => {
    for (let trial = 0; trial < 8; trial++) {
      const privateKey = randomBytesOfLength(32)
      const message = randomField()
      const publicKey = keypairFromPrivateKey(privateKey).publicKey
      expect(publicKey).toEqual(zkKit.derivePublicKey(maciSeed(privateKey)))
      expect(publicKey).toEqual(circomlib.prv2pub(maciSeed(privateKey)))
      const signature = sign(privateKey, message)
      expect(signature).toEqual(zkKit.signMessage(maciSeed(privateKey), message))
      expect(signature).toEqual(circomlib.signPoseidon(maciSeed(privateKey), message))
    }
  })

  it('computes the ECDH point of zk-kit\'s affine code, for subgroup, mixed-torsion and random peers', () => {
    const peers = [generateKeypair().publicKey, generateKeypair().publicKey, randomCurvePoint(), edwardsAdd(randomSubgroupPoint(), torsion[3])]
    for (const peer of peers) {
      const { privateKey } = generateKeypair()
      expect(sharedPoint(privateKey, peer)).toEqual(zkKitSharedPoint(privateKey, peer))
    }
    for (const point of torsion) {
      const { privateKey } = generateKeypair()
      expect(() => zkKitSharedPoint(privateKey, point)).toThrow(/small order/)
      expect(() => sharedPoint(privateKey, point)).toThrow(/small order/)
    }
  })

  describe('verify answers as zk-kit (its subgroup check, then verifySignature) does', () => {
    const signer = generateKeypair()
    const message = randomField()
    const signature = sign(signer.privateKey, message)
    const agree = (publicKey: PublicKey, msg: bigint, sig: { R8: readonly [bigint, bigint]; S: bigint }, label: string) => {
      const candidate = { R8: [sig.R8[0], sig.R8[1]] as [bigint, bigint], S: sig.S }
      const expected = zkKitVerify(publicKey, msg, candidate)
      expect(verify(publicKey, msg, candidate), label).toBe(expected)
      return expected
    }

    it('accepts valid signatures on random keys', () => {
      for (let trial = 0; trial < 4; trial++) {
        const keypair = generateKeypair()
        const msg = randomField()
        expect(agree(keypair.publicKey, msg, sign(keypair.privateKey, msg), 'valid')).toBe(true)
      }
      expect(agree(signer.publicKey, message, signature, 'valid')).toBe(true)
    })

    it('refuses a tampered message, R8 or S, and any S >= l', () => {
      const otherR8 = sign(signer.privateKey, randomField()).R8
      const cases: Array<[bigint, { R8: readonly [bigint, bigint]; S: bigint }, string]> = [
        [(message + 1n) % R, signature, 'message + 1'],
        [randomField(), signature, 'random message'],
        [message, { R8: otherR8, S: signature.S }, 'R8 of another signature'],
        [message, { R8: [signature.R8[0], (signature.R8[1] + 1n) % R], S: signature.S }, 'R8 off the curve'],
        [message, { R8: [R - signature.R8[0], signature.R8[1]], S: signature.S }, 'R8 negated'],
        [message, { R8: edwardsAdd(signature.R8, torsion[4]), S: signature.S }, 'R8 plus the point of order 2'],
        [message, { R8: signature.R8, S: (signature.S + 1n) % SUBORDER }, 'S + 1'],
        [message, { R8: signature.R8, S: signature.S + SUBORDER }, 'S + l'],
        [message, { R8: signature.R8, S: SUBORDER }, 'S = l'],
        [message, { R8: signature.R8, S: R - 1n }, 'S = r - 1'],
        [message, { R8: signature.R8, S: 0n }, 'S = 0'],
      ]
      for (const [msg, sig, label] of cases) expect(agree(signer.publicKey, msg, sig, label), label).toBe(false)
    })

    /** EdDSA-Poseidon by hand with the signer's scalar s, for any R8 and any claimed key. */
    const signAs = (claimedKey: readonly [bigint, bigint], r: bigint, R8: readonly [bigint, bigint]) => {
      const hash = blake512(maciSeed(signer.privateKey))
      const pruned = hash.slice(0, 32)
      pruned[0] &= 0xf8
      pruned[31] = (pruned[31] & 0x7f) | 0x40
      const s = BigInt(`0x${Buffer.from(pruned).reverse().toString('hex')}`)
      const hm = poseidon([R8[0], R8[1], claimedKey[0], claimedKey[1], message])
      return { R8: [R8[0], R8[1]] as [bigint, bigint], S: (r + hm * s) % SUBORDER, hm }
    }

    it('signs by hand as sign does, so the cases below are real signatures', () => {
      const r = randomScalar()
      const { R8, S } = signAs(signer.publicKey, r, toAffine(Point.BASE.multiply(r)))
      expect(agree(signer.publicKey, message, { R8, S }, 'by hand')).toBe(true)
    })

    it('refuses an R8 with a torsion part even when the cofactored equation holds', () => {
      // With R8' = r·B8 + T, S·B8 = R8' - T + 8·hm·A: the equation times 8 holds, zk-kit's
      // equation, which has no cofactor, fails by T.
      for (const t of torsion.slice(1)) {
        const r = randomScalar()
        const { R8, S, hm } = signAs(signer.publicKey, r, edwardsAdd(toAffine(Point.BASE.multiply(r)), t))
        const cofactored = noble(R8).add(noble(signer.publicKey).multiplyUnsafe((8n * hm) % SUBORDER)).clearCofactor()
        expect(Point.BASE.multiplyUnsafe(S).clearCofactor().equals(cofactored)).toBe(true)
        expect(agree(signer.publicKey, message, { R8, S }, `R8 + torsion ${t.join(':')}`)).toBe(false)
      }
    })

    it('refuses low-order and mixed-torsion keys, under which zk-kit\'s bare verifySignature accepts forgeries', () => {
      const S = randomScalar()
      const forged = { R8: toAffine(Point.BASE.multiply(S)), S }
      for (const point of torsion) {
        expect(zkKit.verifySignature(message, forged, [point[0], point[1]])).toBe(true)
        expect(agree(point, message, forged, `torsion ${point.join(':')}`)).toBe(false)
      }
      // 8·hm·(A + T) = 8·hm·A: A's holder can sign for each of the seven keys A + T.
      for (const t of torsion.slice(1)) {
        const mixed = edwardsAdd(signer.publicKey, t)
        const r = randomScalar()
        const { R8, S: mixedS } = signAs(mixed, r, toAffine(Point.BASE.multiply(r)))
        expect(zkKit.verifySignature(message, { R8, S: mixedS }, [mixed[0], mixed[1]])).toBe(true)
        expect(agree(mixed, message, { R8, S: mixedS }, `key + torsion ${t.join(':')}`)).toBe(false)
      }
    })

    it('refuses an R8 coordinate >= r, which zk-kit reduces and accepts', () => {
      const shifted = { R8: [signature.R8[0] + R, signature.R8[1]] as [bigint, bigint], S: signature.S }
      expect(zkKit.verifySignature(message, shifted, [signer.publicKey[0], signer.publicKey[1]])).toBe(true)
      expect(verify(signer.publicKey, message, shifted)).toBe(false)
    })
  })
})
