/**
 * BabyJubJub (EIP-2494, "Baby Jubjub Elliptic Curve"): the twisted Edwards curve
 * a·x² + y² = 1 + d·x²·y² with a = 168700, d = 168696 over the BN254 scalar field F_r, with
 * the base point B8 and the prime subgroup order l that circomlib and zk-kit use (EIP-2494's
 * "B"; the whole group has order 8·l).
 *
 * The parameters and the arithmetic are src/crypto/wasm-babyjubjub.ts (extended coordinates
 * in WebAssembly, with constant-time paths for secret scalars), which src/crypto/keys.ts
 * calls on the [x, y] pairs the rest of the code (and zk-kit) uses. This module is the check
 * every decoder runs first: that a pair is a point of the curve at all.
 */
import { Fr } from './field.js'
import { A, D } from './wasm-babyjubjub.js'

/** Both coordinates canonical (in [0, r)) and the affine curve equation holds. */
export function isCurvePoint(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= Fr.ORDER || y < 0n || y >= Fr.ORDER) return false
  const x2 = Fr.sqr(x)
  const y2 = Fr.sqr(y)
  return Fr.eql(Fr.add(Fr.mul(A, x2), y2), Fr.add(Fr.ONE, Fr.mul(D, Fr.mul(x2, y2))))
}
