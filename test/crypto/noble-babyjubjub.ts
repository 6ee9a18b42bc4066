/**
 * BabyJubJub on @noble/curves' generic twisted Edwards module, with EIP-2494's parameters
 * written out here rather than taken from src/: the BigInt oracle the WebAssembly arithmetic
 * (src/crypto/wasm-babyjubjub.ts) is compared with, and the point type tests and benches use
 * to make points. noble's BASE is B8, the generator of the prime-order subgroup.
 */
import { edwards, type EdwardsPoint } from '@noble/curves/abstract/edwards.js'
import { R, SUBORDER, type CurvePoint } from './helpers.js'

export const Noble = edwards({
  p: R,
  n: SUBORDER,
  h: 8n,
  a: 168700n,
  d: 168696n,
  Gx: 5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  Gy: 16950150798460657717958625567821834550301663161624707787222815936182638968203n,
})

export const noble = ([x, y]: readonly [bigint, bigint]): EdwardsPoint => Noble.fromAffine({ x, y })

export function affine(point: EdwardsPoint): CurvePoint {
  const { x, y } = point.toAffine()
  return [x, y]
}

/** noble's own subgroup check: not the identity, and l·P = 0. */
export const nobleInPrimeSubgroup = (point: readonly [bigint, bigint]): boolean => {
  const p = noble(point)
  return !p.is0() && p.isTorsionFree()
}
