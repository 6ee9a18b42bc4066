/**
 * Reader for circom's .r1cs constraint files (iden3 binary section format, the layout that
 * r1csfile 0.0.48 reads): section 1 header (n8, prime, nVars, nOutputs, nPubInputs,
 * nPrvInputs, nLabels, nConstraints), section 2 constraints. Each constraint is three linear
 * combinations A, B, C, each a count followed by (wire u32, coefficient n8 bytes) pairs, with
 * coefficients in plain little-endian form. Wire indices are witness indices, the ones the
 * .zkey coefficients use.
 *
 * The collaborative prover needs the C matrix from here: the .zkey keeps only A and B.
 */
import * as binFileUtils from '@iden3/binfileutils'
import { MaciAnonError } from '../errors.js'
import { ByteReader } from './byte-reader.js'

export interface R1csTerm {
  readonly wire: number
  readonly coefficient: bigint
}

/** A * B = C, each side a linear combination of witness wires. */
export interface R1csConstraint {
  readonly a: R1csTerm[]
  readonly b: R1csTerm[]
  readonly c: R1csTerm[]
}

export interface ParsedR1cs {
  readonly prime: bigint
  readonly nVars: number
  readonly nOutputs: number
  readonly nPubInputs: number
  readonly nPrvInputs: number
  readonly nLabels: number
  readonly nConstraints: number
  readonly constraints: R1csConstraint[]
}

export class R1csFormatError extends MaciAnonError {
  constructor(detail: string) {
    super('R1CS_FORMAT', detail)
  }
}

const R1CS_MAX_VERSION = 1

export async function readR1cs(source: string | Uint8Array): Promise<ParsedR1cs> {
  const file = typeof source === 'string' ? source : { type: 'mem' as const, data: source }
  const { fd, sections } = await binFileUtils.readBinFile(file, 'r1cs', R1CS_MAX_VERSION, 1 << 22, 1 << 24)
  try {
    for (const id of [1, 2]) {
      if (sections[id]?.length !== 1) throw new R1csFormatError(`section ${id} is missing or duplicated`)
    }
    const header = new ByteReader(await binFileUtils.readSection(fd, sections, 1), (message) => new R1csFormatError(message))
    const n8 = header.u32()
    const prime = header.littleEndian(n8)
    const nVars = header.u32()
    const nOutputs = header.u32()
    const nPubInputs = header.u32()
    const nPrvInputs = header.u32()
    const nLabels = header.u32() + header.u32() * 2 ** 32
    const nConstraints = header.u32()
    header.expectEnd('header section')

    const body = new ByteReader(await binFileUtils.readSection(fd, sections, 2), (message) => new R1csFormatError(message))
    const combination = (): R1csTerm[] => {
      const terms: R1csTerm[] = []
      const count = body.u32()
      for (let i = 0; i < count; i++) {
        const wire = body.u32()
        if (wire >= nVars) throw new R1csFormatError(`wire ${wire} is out of range`)
        terms.push({ wire, coefficient: body.littleEndian(n8) })
      }
      return terms
    }
    const constraints: R1csConstraint[] = []
    for (let i = 0; i < nConstraints; i++) constraints.push({ a: combination(), b: combination(), c: combination() })
    body.expectEnd('constraint section')
    return { prime, nVars, nOutputs, nPubInputs, nPrvInputs, nLabels, nConstraints, constraints }
  } finally {
    await fd.close()
  }
}

/** The value of a linear combination at a witness (or at one party's additive share of it). */
export function evaluateCombination(terms: R1csTerm[], witness: bigint[], prime: bigint): bigint {
  let sum = 0n
  for (const term of terms) sum += term.coefficient * witness[term.wire]
  return sum % prime
}
