/**
 * BabyJubJub (EIP-2494, "Baby Jubjub Elliptic Curve"): the twisted Edwards curve
 * a·x² + y² = 1 + d·x²·y² with a = 168700, d = 168696 over the BN254 scalar field F_r, with
 * the base point B8 and the prime subgroup order l that circomlib and zk-kit use (EIP-2494's
 * "B"; the whole group has order 8·l).
 *
 * The arithmetic is src/crypto/wasm-babyjubjub.ts (extended coordinates in WebAssembly, with
 * constant-time paths for secret scalars); src/crypto/keys.ts calls it on the [x, y] pairs
 * the rest of the code (and zk-kit) uses. This module keeps the curve check and @noble/curves'
 * point type with the same parameters, for the callers that hold points as objects; the
 * parameters themselves are defined once, in wasm-babyjubjub.ts.
 */
import { edwards, type EdwardsPoint } from '@noble/curves/abstract/edwards.js'
import { Fr } from './field.js'
import { A, BASE8, D, isInPrimeSubgroup as isAffineInPrimeSubgroup, SUBGROUP_ORDER } from './wasm-babyjubjub.js'

export { SUBGROUP_ORDER }

/**
 * noble's point type on this curve, for code that holds points as objects (the tests and
 * benches compare with it); src/crypto's own operations go through wasm-babyjubjub.ts.
 * noble's BASE must generate the prime-order subgroup (its `n`): that is B8, not EIP-2494's
 * generator G of the whole group. Scalars given to `multiply` must lie in [1, l).
 */
export const Point = edwards({
  p: Fr.ORDER,
  n: SUBGROUP_ORDER,
  h: 8n,
  a: A,
  d: D,
  Gx: BASE8[0],
  Gy: BASE8[1],
})

const { Fp } = Point

/** Both coordinates canonical (in [0, r)) and the affine curve equation holds. */
export function isCurvePoint(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= Fr.ORDER || y < 0n || y >= Fr.ORDER) return false
  const x2 = Fp.sqr(x)
  const y2 = Fp.sqr(y)
  return Fp.eql(Fp.add(Fp.mul(A, x2), y2), Fp.add(Fp.ONE, Fp.mul(D, Fp.mul(x2, y2))))
}

/** The point (x, y), which the caller has checked with isCurvePoint. */
export function fromAffine(x: bigint, y: bigint): EdwardsPoint {
  return Point.fromAffine({ x, y })
}

export function toAffine(point: EdwardsPoint): [bigint, bigint] {
  const { x, y } = point.toAffine()
  return [x, y]
}

/**
 * In the subgroup of order l and not the identity: l·P = 0 (a wNAF multiplication by the
 * public l, in wasm), which refuses every point with a component of order 2, 4 or 8.
 */
export function isInPrimeSubgroup(point: EdwardsPoint): boolean {
  return isAffineInPrimeSubgroup(toAffine(point))
}
