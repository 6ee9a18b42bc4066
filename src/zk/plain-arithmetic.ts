/**
 * The plain ShareArithmetic driver (share-arithmetic.ts): one party holds every value in
 * clear, as party 0 of a sharing whose other share is zero, so that products are products
 * and an opening returns what it is given. This is TACEO co-snarks' PlainGroth16Driver
 * (co-groth16/src/mpc/plain.rs): the collaborative prover run on it is a single prover whose
 * code is the 2PC's, which the reference prover (reference-prover.ts) uses.
 */
import { Fr, randomFieldElements } from '../crypto/field.js'
import { CollaborativeProverError } from './collaborative-groth16.js'
import type { PointVectors, ShareArithmetic } from './share-arithmetic.js'

export class PlainArithmetic implements ShareArithmetic {
  readonly party = 0

  multiply(x: bigint[], y: bigint[]): Promise<bigint[]> {
    if (x.length !== y.length) throw new CollaborativeProverError('multiply needs vectors of one length')
    return Promise.resolve(x.map((xi, i) => Fr.mul(xi, y[i])))
  }

  square(x: bigint[]): Promise<bigint[]> {
    return Promise.resolve(x.map((xi) => Fr.sqr(xi)))
  }

  openScalars(x: bigint[]): Promise<bigint[]> {
    return Promise.resolve(x.map((xi) => Fr.create(xi)))
  }

  openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors> {
    return Promise.resolve({ g1: g1.map((point) => point.slice()), g2: g2.map((point) => point.slice()) })
  }

  randomScalars(n: number): bigint[] {
    return randomFieldElements(n)
  }
}
