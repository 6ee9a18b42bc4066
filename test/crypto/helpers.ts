/**
 * Shared helpers for the src/crypto tests: random inputs from node:crypto only, and typed
 * wrappers around circomlibjs, the independent reference implementation.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { buildEddsa, buildPoseidon } from 'circomlibjs'

/** BN254 scalar field modulus, written out here so the tests do not trust src/crypto/field.ts for it. */
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** A random field element (rejection sampling, independent of src/crypto/field.ts). */
export function randomField(): bigint {
  for (;;) {
    const value = BigInt(`0x${randomBytes(32).toString('hex')}`) & ((1n << 254n) - 1n)
    if (value < R) return value
  }
}

/**
 * What MACI hands zk-kit and circomlibjs for a private key: the UTF-8 decimal string of its
 * bytes read big-endian (MACI's `privateKey.toString()`), written out independently of
 * src/crypto/keys.ts.
 */
export function maciSeed(privateKey: Uint8Array): Buffer {
  return Buffer.from(BigInt(`0x${Buffer.from(privateKey).toString('hex')}`).toString(), 'utf8')
}

export function randomBytesOfLength(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length))
}

export { randomInt }

interface CircomlibField {
  e(value: bigint): unknown
  toObject(element: unknown): bigint
}

export interface CircomlibPoseidon {
  hash(inputs: readonly bigint[]): bigint
}

export async function circomlibPoseidon(): Promise<CircomlibPoseidon> {
  const p = await buildPoseidon()
  const F = p.F as CircomlibField
  return { hash: (inputs) => F.toObject(p(inputs.map((x) => F.e(x)))) }
}

export interface CircomlibEddsa {
  prv2pub(privateKey: Uint8Array): [bigint, bigint]
  signPoseidon(privateKey: Uint8Array, message: bigint): { R8: [bigint, bigint]; S: bigint }
  verifyPoseidon(message: bigint, signature: { R8: [bigint, bigint]; S: bigint }, publicKey: readonly [bigint, bigint]): boolean
  base8: [bigint, bigint]
  /** circomlibjs's BabyJubJub scalar multiplication. */
  multiply(point: readonly [bigint, bigint], scalar: bigint): [bigint, bigint]
}

export async function circomlibEddsa(): Promise<CircomlibEddsa> {
  const eddsa = await buildEddsa()
  const F = eddsa.F as CircomlibField
  const toPoint = (p: unknown[]): [bigint, bigint] => [F.toObject(p[0]), F.toObject(p[1])]
  const fromPoint = (p: readonly [bigint, bigint]): unknown[] => [F.e(p[0]), F.e(p[1])]
  return {
    prv2pub: (privateKey) => toPoint(eddsa.prv2pub(Buffer.from(privateKey))),
    signPoseidon: (privateKey, message) => {
      const signature = eddsa.signPoseidon(Buffer.from(privateKey), F.e(message))
      return { R8: toPoint(signature.R8), S: BigInt(signature.S) }
    },
    verifyPoseidon: (message, signature, publicKey) =>
      eddsa.verifyPoseidon(F.e(message), { R8: fromPoint(signature.R8), S: signature.S }, fromPoint(publicKey)) === true,
    base8: toPoint(eddsa.babyJub.Base8),
    multiply: (point, scalar) => toPoint(eddsa.babyJub.mulPointEscalar(fromPoint(point), scalar)),
  }
}

/** Order of BabyJubJub's prime-order subgroup (circomlib babyjub.js), written out independently. */
export const SUBORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n

/** Twisted Edwards arithmetic on BabyJubJub (a = 168700, d = 168696), independent of zk-kit. */
const A = 168700n
const D = 168696n
const mod = (x: bigint) => ((x % R) + R) % R

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n
  let b = mod(base)
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % R
    b = (b * b) % R
  }
  return result
}

const inverse = (x: bigint) => power(x, R - 2n)

export type CurvePoint = [bigint, bigint]

export function edwardsAdd(p: readonly [bigint, bigint], q: readonly [bigint, bigint]): CurvePoint {
  const t = mod(D * p[0] * q[0] * p[1] * q[1])
  return [mod((p[0] * q[1] + p[1] * q[0]) * inverse(1n + t)), mod((p[1] * q[1] - A * p[0] * q[0]) * inverse(1n - t))]
}

export function edwardsMul(p: readonly [bigint, bigint], scalar: bigint): CurvePoint {
  let result: CurvePoint = [0n, 1n]
  let addend: CurvePoint = [p[0], p[1]]
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = edwardsAdd(result, addend)
    addend = edwardsAdd(addend, addend)
  }
  return result
}

/** A square root mod R (Tonelli-Shanks: R - 1 = 2^28 * odd), or undefined for a non-residue. */
function squareRoot(value: bigint): bigint | undefined {
  const n = mod(value)
  if (n === 0n) return 0n
  if (power(n, (R - 1n) / 2n) !== 1n) return undefined
  let s = 0n
  let q = R - 1n
  while ((q & 1n) === 0n) {
    q >>= 1n
    s++
  }
  let z = 2n
  while (power(z, (R - 1n) / 2n) !== R - 1n) z++
  let [m, c, t, root] = [s, power(z, q), power(n, q), power(n, (q + 1n) / 2n)]
  while (t !== 1n) {
    let i = 1n
    for (let t2 = (t * t) % R; t2 !== 1n; t2 = (t2 * t2) % R) i++
    const b = power(c, 1n << (m - i - 1n))
    ;[m, c, t, root] = [i, (b * b) % R, (t * b * b) % R, (root * b) % R]
  }
  return root
}

/** A point of the full curve (any order) with this y, if there is one: x^2 = (1 - y^2) / (a - d y^2). */
export function curvePointWithY(y: bigint): CurvePoint | undefined {
  const x = squareRoot(mod((1n - y * y) * inverse(A - D * y * y)))
  return x === undefined ? undefined : [x, mod(y)]
}

/** A point of order exactly 8: the cofactor part, SUBORDER * P, of points of the full curve. */
export function pointOfOrderEight(): CurvePoint {
  for (let y = 2n; ; y++) {
    const point = curvePointWithY(y)
    if (point === undefined) continue
    const torsion = edwardsMul(point, SUBORDER)
    if (edwardsMul(torsion, 4n)[0] !== 0n || edwardsMul(torsion, 4n)[1] !== 1n) return torsion
  }
}
