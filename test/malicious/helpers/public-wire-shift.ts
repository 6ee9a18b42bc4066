/**
 * TEST ONLY: the arithmetic of a party that computes as if its share of one public wire were
 * `delta` where the protocol says 0: the attack of an operator that wants a proof of another
 * statement (KC' in place of the KC the voter put in). Everything the prover does is linear
 * in the witness share except the coset product, so the wrapper adds delta times the wire's
 * columns to the factors this party multiplies (and subtracts its c column from the
 * products, which the prover turns into h), and delta times the wire's points to the pi_a,
 * B1 and B2 shares it opens. With every shift in place the two parties compute the proof of
 * the other statement; `openedA: false` leaves pi_a's opening alone, as an operator that
 * knows the voter checks that share must.
 */
import { Fr } from '../../../src/crypto/field.js'
import { cosetEvaluations, type CollaborativeProofShare } from '../../../src/zk/collaborative-groth16.js'
import type { ParsedR1cs } from '../../../src/zk/r1cs.js'
import { G1_BYTES, G2_BYTES, type PointVectors, type ShareArithmetic } from '../../../src/zk/share-arithmetic.js'
import { loadBn128, type ParsedZkey } from '../../../src/zk/zkey.js'

export interface PublicWireShift {
  wire: number
  delta: bigint
  /** Whether the opened pi_a share moves too. */
  openedA: boolean
}

export async function shiftingArithmetic(inner: ShareArithmetic, zkey: ParsedZkey, r1cs: ParsedR1cs, shift: PublicWireShift): Promise<ShareArithmetic> {
  const curve = await loadBn128()
  const unit = Array.from({ length: zkey.nVars }, (_, wire) => (wire === shift.wire ? Fr.create(shift.delta) : 0n))
  const [a, b, c] = await cosetEvaluations(curve, zkey, r1cs, unit)
  const scaled = (points: Uint8Array, bytes: number, group: typeof curve.G1) =>
    group.toAffine(group.timesFr(points.subarray(shift.wire * bytes, (shift.wire + 1) * bytes), curve.Fr.e(Fr.create(shift.delta))))
  const moves = { a: scaled(zkey.pointsA, G1_BYTES, curve.G1), b1: scaled(zkey.pointsB1, G1_BYTES, curve.G1), b2: scaled(zkey.pointsB2, G2_BYTES, curve.G2) }
  // The proof's one multiplication is the coset product plus r*s and (1-b)*mu.
  const isCosetProduct = (length: number) => length === zkey.domainSize + 2
  return {
    party: inner.party,
    async multiply(x: bigint[], y: bigint[]): Promise<bigint[]> {
      if (!isCosetProduct(x.length)) return inner.multiply(x, y)
      const products = await inner.multiply(
        x.map((value, i) => (i < zkey.domainSize ? Fr.add(value, a[i]) : value)),
        y.map((value, i) => (i < zkey.domainSize ? Fr.add(value, b[i]) : value)),
      )
      return products.map((value, i) => (i < zkey.domainSize ? Fr.sub(value, c[i]) : value))
    },
    square: (x) => inner.square(x),
    openScalars: (x) => inner.openScalars(x),
    openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors> {
      const { G1, G2 } = curve
      const [aShare, b1Share] = g1
      return inner.openPoints([shift.openedA ? G1.toAffine(G1.add(aShare, moves.a)) : aShare, G1.toAffine(G1.add(b1Share, moves.b1))], [G2.toAffine(G2.add(g2[0], moves.b2))])
    },
    randomScalars: (n) => inner.randomScalars(n),
  }
}

/** The proof share with pi_a moved after the opening: the other way to put the shift into pi_a. */
export async function withShiftedPiA(share: CollaborativeProofShare, zkey: ParsedZkey, shift: PublicWireShift): Promise<CollaborativeProofShare> {
  const { G1, Fr: F } = await loadBn128()
  const point = zkey.pointsA.subarray(shift.wire * G1_BYTES, (shift.wire + 1) * G1_BYTES)
  return { ...share, piA: G1.toAffine(G1.add(share.piA, G1.timesFr(point, F.e(Fr.create(shift.delta))))) }
}
