/**
 * The BN254 scalar field F_r, the one field object of maci-anon: Poseidon, the circuits'
 * signals, the 2PC's additive shares and the Groth16 scalars all live here.
 *
 * r = 21888242871839275222246405745257275088548364400416034343698204186575808495617 is the
 * order of the BN254 (alt_bn128) groups G1 and G2 of EIP-196/EIP-197, and the prime that
 * circom compiles for by default (`-p bn128`). Elements are bigints in [0, r).
 *
 * `Fr` follows noble-curves' `IField` (@noble/curves/abstract/modular) and is built on its
 * `Field(r)`: multiplication, powers, inversion and square roots are noble's. Addition,
 * subtraction and negation take canonical operands and correct with one comparison instead
 * of a `%`, about twice as fast; the OT and Beaver loops call them per element.
 *
 * Byte order is explicit, because both are in use and neither is a mistake:
 *   big-endian (toBytesBE/fromBytesBE, and IField's toBytes/fromBytes): our own domain
 *     encodings, the signed messages, the codec, root signatures and proofs, as EIP-196/197
 *     write their 32-byte words;
 *   little-endian (toBytesLE/fromBytesLE, and the vector forms): what snarkjs and
 *     ffjavascript read and write (`Scalar.toRprLE`, `F1Field.toRprLE`, multi-exponentiation
 *     scalars, .zkey and .wtns sections), and the 2PC's share vectors, which are packed the
 *     same way so they can go straight to ffjavascript.
 * Every decoder refuses bytes of the wrong length or a value >= r, so each element has
 * exactly one encoding; every encoder refuses a value outside [0, r). Both raise
 * FieldEncodingError.
 */
import { randomBytes } from 'node:crypto'
import { Field, type IField } from '@noble/curves/abstract/modular.js'
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { MaciAnonError } from '../errors.js'

const ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const BYTES = 32
const BITS = 254
const MASK_64 = (1n << 64n) - 1n

export class FieldEncodingError extends MaciAnonError {
  constructor(detail: string) {
    // The detail describes only the shape of bytes or text a peer may have sent.
    super('FIELD_ENCODING', detail, { exposable: true })
  }
}

/** F_r with the byte-order-explicit encoders and the decimal form of snarkjs's JSON. */
export interface ScalarField extends IField<bigint> {
  readonly ORDER: bigint
  /** 32: the width of one encoded element. */
  readonly BYTES: number
  /** 254: r < 2^254. */
  readonly BITS: number
  toBytesBE(value: bigint): Uint8Array
  fromBytesBE(bytes: Uint8Array): bigint
  toBytesLE(value: bigint): Uint8Array
  fromBytesLE(bytes: Uint8Array): bigint
  /** Parses a decimal string (the JSON form of snarkjs and of our files) into an element. */
  fromDecimal(text: string): bigint
}

const noble = Field(ORDER, { BITS })

function assertElement(value: bigint, what = 'value'): void {
  if (typeof value !== 'bigint' || value < 0n || value >= ORDER) throw new FieldEncodingError(`${what} is not a field element`)
}

function assertLength(bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) throw new FieldEncodingError(`expected ${expected} bytes, got ${bytes.length}`)
}

function assertBelowOrder(value: bigint, what = 'value'): bigint {
  if (value >= ORDER) throw new FieldEncodingError(`${what} is not below the field modulus`)
  return value
}


function writeLE(value: bigint, view: DataView, offset: number): void {
  let rest = value
  for (let word = 0; word < 4; word++) {
    view.setBigUint64(offset + 8 * word, rest & MASK_64, true)
    rest >>= 64n
  }
}

function readLE(view: DataView, offset: number): bigint {
  let value = 0n
  for (let word = 3; word >= 0; word--) value = (value << 64n) | view.getBigUint64(offset + 8 * word, true)
  return value
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

function toBytesBE(value: bigint): Uint8Array {
  assertElement(value)
  const out = new Uint8Array(BYTES)
  let rest = value
  for (let i = BYTES - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}

function fromBytesBE(bytes: Uint8Array): bigint {
  assertLength(bytes, BYTES)
  return assertBelowOrder(bytesToNumberBE(bytes))
}

export const Fr: ScalarField = Object.freeze({
  ORDER,
  BYTES,
  BITS,
  isLE: false,
  ZERO: 0n,
  ONE: 1n,
  /** Any integer, negative included, to its representative in [0, r). */
  create: (a: bigint) => noble.create(a),
  isValid: (a: bigint) => noble.isValid(a),
  is0: (a: bigint) => a === 0n,
  isValidNot0: (a: bigint) => noble.isValidNot0(a),
  isOdd: (a: bigint) => noble.isOdd(a),
  eql: (a: bigint, b: bigint) => a === b,
  add(a: bigint, b: bigint): bigint {
    const sum = a + b
    return sum >= ORDER ? sum - ORDER : sum
  },
  sub(a: bigint, b: bigint): bigint {
    const difference = a - b
    return difference < 0n ? difference + ORDER : difference
  },
  neg: (a: bigint) => (a === 0n ? 0n : ORDER - a),
  mul: (a: bigint, b: bigint) => noble.mul(a, b),
  sqr: (a: bigint) => noble.sqr(a),
  pow: (a: bigint, power: bigint) => noble.pow(a, power),
  inv: (a: bigint) => noble.inv(a),
  div: (a: bigint, b: bigint) => noble.div(a, b),
  sqrt: (a: bigint) => noble.sqrt(a),
  addN: (a: bigint, b: bigint) => a + b,
  subN: (a: bigint, b: bigint) => a - b,
  mulN: (a: bigint, b: bigint) => a * b,
  sqrN: (a: bigint) => a * a,
  invertBatch: (values: bigint[]) => noble.invertBatch(values),
  cmov: (a: bigint, b: bigint, condition: boolean) => noble.cmov(a, b, condition),
  toBytes: toBytesBE,
  fromBytes: fromBytesBE,
  toBytesBE,
  fromBytesBE,
  toBytesLE(value: bigint): Uint8Array {
    return fieldElementsToBytesLE([value])
  },
  fromBytesLE(bytes: Uint8Array): bigint {
    assertLength(bytes, BYTES)
    return assertBelowOrder(readLE(viewOf(bytes), 0))
  },
  fromDecimal(text: string): bigint {
    if (!/^[0-9]{1,78}$/.test(text)) throw new FieldEncodingError(`not a decimal field element: "${text.slice(0, 20)}"`)
    return assertBelowOrder(BigInt(text))
  },
})

/** n elements as n consecutive 32-byte little-endian words, ffjavascript's scalar layout. */
export function fieldElementsToBytesLE(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * BYTES)
  const view = viewOf(out)
  values.forEach((value, i) => {
    assertElement(value, `element ${i}`)
    writeLE(value, view, i * BYTES)
  })
  return out
}

/** The inverse of fieldElementsToBytesLE; the length must be a whole number of elements. */
export function fieldElementsFromBytesLE(bytes: Uint8Array): bigint[] {
  if (bytes.length % BYTES !== 0) throw new FieldEncodingError(`${bytes.length} bytes is not a whole number of field elements`)
  const view = viewOf(bytes)
  return Array.from({ length: bytes.length / BYTES }, (_, i) => assertBelowOrder(readLE(view, i * BYTES), `element ${i}`))
}

/**
 * n uniformly random elements: 64 random bytes each, reduced mod r, which leaves a
 * statistical distance below 2^-(512-254) from uniform, far under the 40-bit target.
 */
export function randomFieldElements(n: number): bigint[] {
  const bytes = randomBytes(64 * n)
  return Array.from({ length: n }, (_, i) => bytesToNumberBE(bytes.subarray(64 * i, 64 * (i + 1))) % ORDER)
}

export function randomFieldElement(): bigint {
  return randomFieldElements(1)[0]
}
