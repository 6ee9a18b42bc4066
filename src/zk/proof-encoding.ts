/**
 * Fixed-size binary form of a Groth16 proof and its public signals: every coordinate and
 * signal is a 32-byte big-endian field element. A fixed size keeps every voter message the
 * same length whatever the values (DESIGN P1: the transcript's shape must not vary).
 */
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { Fr } from '../crypto/field.js'
import { MaciAnonError } from '../errors.js'
import type { Groth16Proof, ProofWithSignals } from './groth16.js'

/** pi_a (x, y), pi_b (x.c0, x.c1, y.c0, y.c1), pi_c (x, y). Base-field coordinates are below 2^254. */
export const PROOF_BYTES = 8 * Fr.BYTES

/** The detail describes only the shape of the bytes, which a peer may have sent. */
export class ProofEncodingError extends MaciAnonError {
  constructor(detail: string) {
    super('PROOF_ENCODING', detail, { exposable: true })
  }
}

function coordinate(value: string): Uint8Array {
  if (!/^[0-9]{1,78}$/.test(value)) throw new ProofEncodingError('a proof coordinate is a decimal number')
  const number = BigInt(value)
  if (number >= 1n << 256n) throw new ProofEncodingError('a proof coordinate exceeds 256 bits')
  return Uint8Array.from(Buffer.from(number.toString(16).padStart(64, '0'), 'hex'))
}

export function encodeProof(proof: ProofWithSignals): Uint8Array {
  const { pi_a, pi_b, pi_c } = proof.proof
  const coordinates = [pi_a[0], pi_a[1], pi_b[0][0], pi_b[0][1], pi_b[1][0], pi_b[1][1], pi_c[0], pi_c[1], ...proof.publicSignals]
  const out = new Uint8Array(coordinates.length * Fr.BYTES)
  coordinates.forEach((value, i) => out.set(coordinate(String(value)), i * Fr.BYTES))
  return out
}

export function decodeProof(bytes: Uint8Array, publicSignals: number): ProofWithSignals {
  if (bytes.length !== PROOF_BYTES + publicSignals * Fr.BYTES) {
    throw new ProofEncodingError(`expected ${PROOF_BYTES + publicSignals * Fr.BYTES} bytes, got ${bytes.length}`)
  }
  const word = (i: number) => bytesToNumberBE(bytes.subarray(i * Fr.BYTES, (i + 1) * Fr.BYTES)).toString()
  const proof: Groth16Proof = {
    pi_a: [word(0), word(1), '1'],
    pi_b: [
      [word(2), word(3)],
      [word(4), word(5)],
      ['1', '0'],
    ],
    pi_c: [word(6), word(7), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  }
  const signals = Array.from({ length: publicSignals }, (_, i) => Fr.fromDecimal(word(8 + i)).toString())
  return { proof, publicSignals: signals }
}
