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
