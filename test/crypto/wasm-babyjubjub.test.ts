/**
 * src/crypto/wasm-babyjubjub.ts against two references: @noble/curves' generic twisted
 * Edwards arithmetic with BabyJubJub's parameters written out independently (the code the
 * module replaced; ./noble-babyjubjub.ts), and zk-kit's affine formulas. Inputs are random subgroup
 * points, random points of the whole group (usually with a torsion part), the torsion points
 * of orders 1, 2, 4 and 8, and the scalars where window and wNAF code breaks: 0, 1, the
 * window edges, l - 1, l, l + 1, long runs of ones, and scalars up to 2^256 - 1.
 */
import { addPoint, Base8, mulPointEscalar, subOrder } from '@zk-kit/baby-jubjub'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  add,
  BASE8,
  buildMilliseconds,
  cofactorClearedMultiply,
  double,
  isInPrimeSubgroup,
  multiplyBase,
  multiplyBaseTwice,
  multiplyPublic,
  multiplySecret,
  SUBGROUP_ORDER,
  verifyEquation,
  type Affine,
} from '../../src/crypto/wasm-babyjubjub.js'
import { affine, noble, Noble } from './noble-babyjubjub.js'
import { curvePointWithY, edwardsMul, pointOfOrderEight, R, randomField, SUBORDER, type CurvePoint } from './helpers.js'

/** k·P for any k >= 0 by double-and-add on noble's points: noble's own multiply takes k < l only. */
function nobleTimes(point: Affine, scalar: bigint): CurvePoint {
  let result = Noble.ZERO
  for (let bit = BigInt(scalar.toString(2).length) - 1n; bit >= 0n; bit--) {
    result = result.double()
    if ((scalar >> bit) & 1n) result = result.add(noble(point))
  }
  return affine(result)
}

const random256 = () => BigInt(`0x${randomBytes(32).toString('hex')}`)
const randomScalar = () => randomField() % SUBORDER
const randomSubgroupPoint = (): CurvePoint => affine(Noble.BASE.multiply(randomScalar() || 1n))
function randomCurvePoint(): CurvePoint {
  for (;;) {
    const point = curvePointWithY(randomField())
    if (point !== undefined) return point
  }
}
const eight = pointOfOrderEight()
/** k·T for T of order 8, k = 0 .. 7: the identity, then orders 8, 4, 8, 2, 8, 4, 8. */
const torsion: CurvePoint[] = Array.from({ length: 8 }, (_, k) => edwardsMul(eight, BigInt(k)))
const IDENTITY: CurvePoint = [0n, 1n]

const EDGE_SCALARS = [
  0n,
  1n,
  2n,
  7n,
  8n,
  15n,
  16n,
  17n,
  31n,
  32n,
  0xffn,
  SUBORDER - 1n,
  SUBORDER,
  SUBORDER + 1n,
  8n * SUBORDER,
  (1n << 251n) - 1n,
  (1n << 252n) + 0x5555n,
  (1n << 255n) - 1n,
  1n << 255n,
  (1n << 256n) - 1n,
  0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaan,
  0x8421084210842108421084210842108421084210842108421084210842108421n,
]

describe('wasm BabyJubJub: parameters and build', () => {
  it('has zk-kit\'s B8 and l, and builds once, lazily', () => {
    expect(BASE8).toEqual([Base8[0], Base8[1]])
    expect(SUBGROUP_ORDER).toBe(subOrder)
    expect(SUBGROUP_ORDER).toBe(SUBORDER)
    expect(multiplyBase(1n)).toEqual([Base8[0], Base8[1]])
    expect(buildMilliseconds).toBeGreaterThan(0)
  })
})

describe('wasm BabyJubJub: the group law against noble and zk-kit', () => {
  const points = () => [randomSubgroupPoint(), randomSubgroupPoint(), randomCurvePoint(), randomCurvePoint(), ...torsion]

  it('adds subgroup, mixed and torsion points, the identity, P + P and P + (-P) included', () => {
    const ps = points()
    for (const p of ps) {
      for (const q of [randomSubgroupPoint(), randomCurvePoint(), p, [(R - p[0]) % R, p[1]] as CurvePoint, torsion[4], torsion[1], IDENTITY]) {
        const expected = affine(noble(p).add(noble(q)))
        expect(add(p, q), `${p.join(':')} + ${q.join(':')}`).toEqual(expected)
        expect(addPoint([p[0], p[1]], [q[0], q[1]])).toEqual(expected)
      }
    }
  })

  it('doubles like noble and like zk-kit\'s P + P', () => {
    for (const p of points()) {
      const expected = affine(noble(p).double())
      expect(double(p), p.join(':')).toEqual(expected)
      expect(addPoint([p[0], p[1]], [p[0], p[1]])).toEqual(expected)
    }
  })
})

describe('wasm BabyJubJub: scalar multiplication', () => {
  const scalars = () => [...EDGE_SCALARS, randomScalar(), randomScalar(), random256(), random256()]

  it('multiplies the base point, in constant time from the table, for every scalar below 2^256', () => {
    for (const scalar of scalars()) {
      const expected = scalar % SUBORDER === 0n ? IDENTITY : affine(Noble.BASE.multiply(scalar % SUBORDER))
      expect(multiplyBase(scalar), scalar.toString(16)).toEqual(expected)
    }
  })

  it('multiplies the base point by two scalars with one shared inversion', () => {
    const all = scalars()
    for (let i = 0; i + 1 < all.length; i += 2) {
      expect(multiplyBaseTwice(all[i], all[i + 1])).toEqual([multiplyBase(all[i]), multiplyBase(all[i + 1])])
    }
    const scalar = randomScalar()
    expect(multiplyBaseTwice(scalar, scalar)).toEqual([affine(Noble.BASE.multiply(scalar)), affine(Noble.BASE.multiply(scalar))])
  })

  it('multiplies subgroup points, secret and public paths, like noble and zk-kit', () => {
    const point = randomSubgroupPoint()
    for (const scalar of scalars()) {
      const expected = scalar % SUBORDER === 0n ? IDENTITY : affine(noble(point).multiplyUnsafe(scalar % SUBORDER))
      expect(multiplySecret(point, scalar), scalar.toString(16)).toEqual(expected)
      expect(multiplyPublic(point, scalar), scalar.toString(16)).toEqual(expected)
    }
    const scalar = randomScalar()
    expect(multiplySecret(point, scalar)).toEqual(mulPointEscalar([point[0], point[1]], scalar))
  })

  it('multiplies points with a torsion part and torsion points, scalars above l included', () => {
    const ps = [randomCurvePoint(), randomCurvePoint(), ...torsion]
    for (const point of ps) {
      for (const scalar of [0n, 1n, 3n, SUBORDER, SUBORDER + 5n, random256(), randomScalar(), (1n << 256n) - 1n]) {
        const expected = nobleTimes(point, scalar)
        const label = `${scalar.toString(16)} · ${point.join(':')}`
        expect(multiplySecret(point, scalar), label).toEqual(expected)
        expect(multiplyPublic(point, scalar), label).toEqual(expected)
      }
    }
    const point = ps[0]
    const scalar = random256()
    expect(multiplyPublic(point, scalar)).toEqual(mulPointEscalar([point[0], point[1]], scalar))
  })

  it('agrees with itself over random scalars: secret and public paths, Fermat and Euclid inversions', () => {
    for (let trial = 0; trial < 40; trial++) {
      const point = trial % 2 === 0 ? randomSubgroupPoint() : randomCurvePoint()
      const scalar = random256() >> BigInt(trial % 8)
      expect(multiplySecret(point, scalar)).toEqual(multiplyPublic(point, scalar))
    }
  })

  it('clears the cofactor after a secret multiplication, and reports the identity', () => {
    for (const point of [randomSubgroupPoint(), randomCurvePoint(), randomCurvePoint()]) {
      const scalar = randomScalar()
      expect(cofactorClearedMultiply(point, scalar)).toEqual(nobleTimes(point, 8n * scalar))
      expect(cofactorClearedMultiply(point, scalar)).toEqual(affine(noble(point).multiply(scalar).clearCofactor()))
    }
    for (const point of torsion) expect(cofactorClearedMultiply(point, random256())).toBeUndefined()
    expect(cofactorClearedMultiply(randomSubgroupPoint(), 0n)).toBeUndefined()
    expect(cofactorClearedMultiply(randomSubgroupPoint(), SUBORDER)).toBeUndefined()
    expect(cofactorClearedMultiply(edwardsAddTorsion(randomSubgroupPoint(), 3), SUBORDER)).toBeUndefined()
  })

  it('refuses scalars outside [0, 2^256)', () => {
    const point = randomSubgroupPoint()
    for (const scalar of [-1n, 1n << 256n]) {
      expect(() => multiplySecret(point, scalar)).toThrow(RangeError)
      expect(() => multiplyPublic(point, scalar)).toThrow(RangeError)
      expect(() => multiplyBase(scalar)).toThrow(RangeError)
    }
  })
})

/** P + the torsion point of index k (k·T for T of order 8). */
function edwardsAddTorsion(point: Affine, k: number): CurvePoint {
  return affine(noble(point).add(noble(torsion[k])))
}

describe('wasm BabyJubJub: subgroup check', () => {
  it('accepts subgroup points and refuses the identity', () => {
    for (const point of [randomSubgroupPoint(), randomSubgroupPoint(), BASE8, affine(Noble.BASE.multiply(SUBORDER - 1n))]) {
      expect(isInPrimeSubgroup(point)).toBe(true)
    }
    expect(isInPrimeSubgroup(IDENTITY)).toBe(false)
  })

  it('refuses every torsion point and a subgroup point plus each of them', () => {
    const member = randomSubgroupPoint()
    for (let k = 1; k < 8; k++) {
      expect(isInPrimeSubgroup(torsion[k]), `torsion ${k}`).toBe(false)
      expect(isInPrimeSubgroup(edwardsAddTorsion(member, k)), `member + torsion ${k}`).toBe(false)
    }
  })

  it('answers as noble\'s isTorsionFree on random points of the whole group', () => {
    for (let trial = 0; trial < 16; trial++) {
      const point = randomCurvePoint()
      expect(isInPrimeSubgroup(point), point.join(':')).toBe(noble(point).isTorsionFree() && !noble(point).is0())
    }
  })
})

describe('wasm BabyJubJub: the verification equation S·B8 = R8 + h·A', () => {
  /** R8 = S·B8 - h·A, computed by noble, so that the equation holds. */
  const solved = (publicKey: Affine, S: bigint, h: bigint): CurvePoint => affine(noble(BASE8).multiplyUnsafe(S).subtract(noble(publicKey).multiplyUnsafe(h)))

  it('holds for random S, h and keys, the edges included', () => {
    const cases: Array<[bigint, bigint]> = [
      [randomScalar(), randomScalar()],
      [randomScalar(), 0n],
      [0n, randomScalar()],
      [0n, 0n],
      [SUBORDER - 1n, SUBORDER - 1n],
      [1n, 2n],
      [randomScalar(), 8n * (randomScalar() >> 3n)],
    ]
    for (const [S, h] of cases) {
      const publicKey = randomSubgroupPoint()
      expect(verifyEquation(publicKey, solved(publicKey, S, h), S, h), `S ${S}, h ${h}`).toBe(true)
    }
  })

  it('fails for a changed S, h, R8 (either coordinate) or key, and for R8 plus a torsion point', () => {
    const publicKey = randomSubgroupPoint()
    const [S, h] = [randomScalar(), randomScalar()]
    const R8 = solved(publicKey, S, h)
    expect(verifyEquation(publicKey, R8, (S + 1n) % SUBORDER, h)).toBe(false)
    expect(verifyEquation(publicKey, R8, S, (h + 1n) % SUBORDER)).toBe(false)
    expect(verifyEquation(publicKey, [R - R8[0], R8[1]], S, h)).toBe(false)
    // The other point with R8's x: a check of X alone would take it.
    expect(verifyEquation(publicKey, [R8[0], R - R8[1]], S, h)).toBe(false)
    expect(verifyEquation(randomSubgroupPoint(), R8, S, h)).toBe(false)
    for (let k = 1; k < 8; k++) expect(verifyEquation(publicKey, edwardsAddTorsion(R8, k), S, h), `torsion ${k}`).toBe(false)
  })
})
