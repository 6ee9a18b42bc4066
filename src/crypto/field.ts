/**
 * The BN254 scalar field: Poseidon, the circuits' signals and the 2PC's additive shares all
 * live here. Elements are bigints in [0, r); on the wire they are 32 bytes, big-endian.
 */
import { randomBytes } from 'node:crypto'

export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
export const FIELD_BYTES = 32

export class FieldEncodingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FieldEncodingError'
  }
}

/**
 * n uniformly random elements: 64 random bytes each, reduced mod r, which leaves a
 * statistical distance below 2^-(512-254) from uniform, far under the 40-bit target.
 */
export function randomFieldElements(n: number): bigint[] {
  const bytes = randomBytes(64 * n)
  return Array.from({ length: n }, (_, i) => bytesToBigInt(bytes.subarray(64 * i, 64 * (i + 1))) % FIELD_MODULUS)
}

export function randomFieldElement(): bigint {
  return randomFieldElements(1)[0]
}

/** Any integer, negative included, to its representative in [0, r). */
export function fieldReduce(a: bigint): bigint {
  const reduced = a % FIELD_MODULUS
  return reduced < 0n ? reduced + FIELD_MODULUS : reduced
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

export function fieldToBytes(value: bigint): Uint8Array {
  if (value < 0n || value >= FIELD_MODULUS) throw new FieldEncodingError('value is not a field element')
  const out = new Uint8Array(FIELD_BYTES)
  let rest = value
  for (let i = FIELD_BYTES - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

/** Parses a canonical encoding; bytes of the wrong length or a value >= r are refused. */
export function fieldFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== FIELD_BYTES) throw new FieldEncodingError(`expected ${FIELD_BYTES} bytes, got ${bytes.length}`)
  const value = bytesToBigInt(bytes)
  if (value >= FIELD_MODULUS) throw new FieldEncodingError('value is not below the field modulus')
  return value
}

/** Parses a decimal string (the JSON form used by snarkjs and our files) into a field element. */
export function fieldFromDecimal(text: string): bigint {
  if (!/^[0-9]{1,78}$/.test(text)) throw new FieldEncodingError(`not a decimal field element: "${text.slice(0, 20)}"`)
  const value = BigInt(text)
  if (value >= FIELD_MODULUS) throw new FieldEncodingError('value is not below the field modulus')
  return value
}
