/**
 * Reader for snarkjs Groth16 proving keys (.zkey, the iden3 binary section format as written
 * by snarkjs 0.7.6 `zkey_utils.js`), and the BN254 curve of ffjavascript 0.3.1 that the keys
 * are expressed in.
 *
 * Sections: 1 protocol (1 = Groth16); 2 header (n8q, q, n8r, r, nVars, nPublic, domainSize,
 * alpha1, beta1, beta2, gamma2, delta1, delta2); 3 IC; 4 the A and B matrix coefficients;
 * 5 A (G1); 6 B1 (G1); 7 B2 (G2); 8 C (G1, private wires only); 9 H (G1, domainSize points).
 * Points are affine, little-endian Montgomery: ffjavascript's own representation, so they are
 * kept as raw bytes and handed to its multi-exponentiation unchanged. A coefficient is stored
 * as value * R^2 mod r (R = 2^256); it is returned here as the plain field element.
 */
import * as binFileUtils from '@iden3/binfileutils'
import { invert } from '@noble/curves/abstract/modular.js'
import { buildBn128 } from 'ffjavascript'
import { MaciAnonError } from '../errors.js'
import { ByteReader } from './byte-reader.js'

/** A field of ffjavascript's wasm engine: elements are Montgomery-form little-endian bytes. */
export interface WasmField {
  readonly n8: number
  readonly s: number
  readonly shift: Uint8Array
  readonly w: Uint8Array[]
  e(value: bigint | number): Uint8Array
  toObject(element: Uint8Array): bigint
  fft(buffer: Uint8Array): Promise<Uint8Array>
  ifft(buffer: Uint8Array): Promise<Uint8Array>
  batchApplyKey(buffer: Uint8Array, first: Uint8Array, inc: Uint8Array): Promise<Uint8Array>
  batchToMontgomery(buffer: Uint8Array): Promise<Uint8Array>
  batchFromMontgomery(buffer: Uint8Array): Promise<Uint8Array>
}

/** A curve group of ffjavascript: 2*n8 bytes affine, 3*n8 bytes Jacobian. */
export interface WasmGroup {
  readonly F: { readonly n8: number }
  readonly g: Uint8Array
  /** The identity, affine. */
  readonly zeroAffine: Uint8Array
  add(a: Uint8Array, b: Uint8Array): Uint8Array
  neg(a: Uint8Array): Uint8Array
  timesFr(point: Uint8Array, scalar: Uint8Array): Uint8Array
  toAffine(point: Uint8Array): Uint8Array
  isValid(point: Uint8Array): boolean
  eq(a: Uint8Array, b: Uint8Array): boolean
  toObject(point: Uint8Array): unknown
  fromObject(coordinates: bigint[] | bigint[][]): Uint8Array
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>
}

export interface Bn128 {
  readonly name: string
  readonly q: bigint
  readonly r: bigint
  readonly Fr: WasmField
  readonly G1: WasmGroup
  readonly G2: WasmGroup
  readonly Gt: { toObject(element: Uint8Array): unknown }
  pairing(a: Uint8Array, b: Uint8Array): Uint8Array
}

let building: Promise<Bn128> | undefined

/**
 * ffjavascript's shared BN254 instance, the one snarkjs also uses (worker threads included).
 * ffjavascript caches the curve only once it is built, so calls made while it is being built
 * would each build one, with a worker pool of its own that nothing ends: that kept a process
 * that proved several times at once from exiting, and costs a daemon threads and memory.
 * Concurrent first calls share one build.
 */
export function loadBn128(): Promise<Bn128> {
  building ??= (buildBn128() as Promise<Bn128>).finally(() => {
    building = undefined
  })
  return building
}

const GROTH16_PROTOCOL = 1
const ZKEY_MAX_VERSION = 2
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

export interface ZkeyCoefficient {
  /** 0: the A matrix, 1: the B matrix. */
  readonly matrix: 0 | 1
  readonly constraint: number
  readonly signal: number
  readonly value: bigint
}

export interface ParsedZkey {
  readonly protocol: 'groth16'
  readonly n8q: number
  readonly q: bigint
  readonly n8r: number
  readonly r: bigint
  readonly nVars: number
  readonly nPublic: number
  readonly domainSize: number
  readonly power: number
  readonly alpha1: Uint8Array
  readonly beta1: Uint8Array
  readonly beta2: Uint8Array
  readonly gamma2: Uint8Array
  readonly delta1: Uint8Array
  readonly delta2: Uint8Array
  /** nPublic + 1 G1 points. */
  readonly ic: Uint8Array[]
  /** Sorted by constraint; includes the rows A[nConstraints + i][i] = 1 for i = 0..nPublic. */
  readonly coefficients: ZkeyCoefficient[]
  /** nVars concatenated G1 points. */
  readonly pointsA: Uint8Array
  readonly pointsB1: Uint8Array
  /** nVars concatenated G2 points. */
  readonly pointsB2: Uint8Array
  /** nVars - nPublic - 1 G1 points, for wires nPublic + 1 onwards. */
  readonly pointsC: Uint8Array
  /** domainSize G1 points. */
  readonly pointsH: Uint8Array
}

export class ZkeyFormatError extends MaciAnonError {
  constructor(detail: string) {
    super('ZKEY_FORMAT', detail)
  }
}

const zkeyError = (message: string) => new ZkeyFormatError(message)

/** Reads a Groth16 .zkey from a path or from its bytes. */
export async function readZkey(source: string | Uint8Array): Promise<ParsedZkey> {
  const file = typeof source === 'string' ? source : { type: 'mem' as const, data: source }
  const { fd, sections } = await binFileUtils.readBinFile(file, 'zkey', ZKEY_MAX_VERSION, 1 << 25, 1 << 23)
  try {
    const section = (id: number) => {
      if (sections[id]?.length !== 1) throw new ZkeyFormatError(`section ${id} is missing or duplicated`)
      return binFileUtils.readSection(fd, sections, id)
    }
    const protocol = new ByteReader(await section(1), zkeyError).u32()
    if (protocol !== GROTH16_PROTOCOL) throw new ZkeyFormatError(`protocol ${protocol} is not Groth16`)
    const header = parseHeader(await section(2))
    const sG1 = header.n8q * 2
    const sG2 = header.n8q * 4
    const sized = async (id: number, count: number, pointSize: number) => {
      const bytes = await section(id)
      if (bytes.length !== count * pointSize) throw new ZkeyFormatError(`section ${id} has ${bytes.length} bytes, expected ${count * pointSize}`)
      return bytes
    }
    const icBytes = await sized(3, header.nPublic + 1, sG1)
    return {
      ...header,
      ic: Array.from({ length: header.nPublic + 1 }, (_, i) => icBytes.slice(i * sG1, (i + 1) * sG1)),
      coefficients: parseCoefficients(await section(4), header.n8r, header.r),
      pointsA: await sized(5, header.nVars, sG1),
      pointsB1: await sized(6, header.nVars, sG1),
      pointsB2: await sized(7, header.nVars, sG2),
      pointsC: await sized(8, header.nVars - header.nPublic - 1, sG1),
      pointsH: await sized(9, header.domainSize, sG1),
    }
  } finally {
    await fd.close()
  }
}

type ZkeyHeader = Omit<ParsedZkey, 'ic' | 'coefficients' | 'pointsA' | 'pointsB1' | 'pointsB2' | 'pointsC' | 'pointsH'>

function parseHeader(bytes: Uint8Array): ZkeyHeader {
  const reader = new ByteReader(bytes, zkeyError)
  const n8q = reader.u32()
  const q = reader.littleEndian(n8q)
  const n8r = reader.u32()
  const r = reader.littleEndian(n8r)
  if (q !== BN254_Q) throw new ZkeyFormatError('the proving key is not over BN254')
  const nVars = reader.u32()
  const nPublic = reader.u32()
  const domainSize = reader.u32()
  const power = Math.log2(domainSize)
  if (!Number.isInteger(power)) throw new ZkeyFormatError(`domain size ${domainSize} is not a power of two`)
  const header: ZkeyHeader = {
    protocol: 'groth16',
    n8q,
    q,
    n8r,
    r,
    nVars,
    nPublic,
    domainSize,
    power,
    alpha1: reader.bytes(n8q * 2),
    beta1: reader.bytes(n8q * 2),
    beta2: reader.bytes(n8q * 4),
    gamma2: reader.bytes(n8q * 4),
    delta1: reader.bytes(n8q * 2),
    delta2: reader.bytes(n8q * 4),
  }
  reader.expectEnd('section 2')
  return header
}

function parseCoefficients(bytes: Uint8Array, n8r: number, r: bigint): ZkeyCoefficient[] {
  const reader = new ByteReader(bytes, zkeyError)
  const count = reader.u32()
  const rInverseSquared = modularInverse(((1n << BigInt(8 * n8r)) % r) ** 2n % r, r)
  const coefficients: ZkeyCoefficient[] = []
  for (let i = 0; i < count; i++) {
    const matrix = reader.u32()
    if (matrix !== 0 && matrix !== 1) throw new ZkeyFormatError(`coefficient ${i} names matrix ${matrix}`)
    const constraint = reader.u32()
    const signal = reader.u32()
    const value = (reader.littleEndian(n8r) * rInverseSquared) % r
    coefficients.push({ matrix, constraint, signal, value })
  }
  reader.expectEnd('section 4')
  return coefficients
}

/** noble's inverse mod the key's own r, which is checked to be BN254's only at proving time. */
function modularInverse(value: bigint, modulus: bigint): bigint {
  try {
    return invert(value, modulus)
  } catch {
    throw new ZkeyFormatError('value is not invertible')
  }
}
