/**
 * The one driver interface for arithmetic on additive shares over F_r (src/crypto/field.ts):
 * the collaborative Groth16 prover and the shared Poseidon evaluation are written once against
 * it, as TACEO co-snarks write co-groth16 against its `CircomGroth16Prover` driver trait
 * (co-groth16/src/mpc.rs). Party p holds x_p of x = x_0 + x_1; linear operations are local,
 * and party 0 adds the public constants.
 *
 * The drivers:
 *   BeaverArithmetic (beaver-arithmetic.ts): the real 2PC, Beaver triples and square pairs
 *     made by OT, openings over the session's channel;
 *   PlainArithmetic (plain-arithmetic.ts): one party holding every value in clear and the
 *     peer's share taken as zero, as TACEO's mpc/plain.rs; the reference prover runs on it;
 *   TestDealerArithmetic (test/zk/helpers): a trusted dealer's triples, for tests.
 *
 * Scalars are bigints in [0, r). Points are ffjavascript's affine little-endian Montgomery
 * bytes (G1: 64 bytes, G2: 128 bytes); a driver sums them with addPointShares
 * (collaborative-groth16.ts), which refuses bytes that are not curve points.
 */
/** Bytes of one point share as the drivers exchange it: affine, two (G1) or four (G2) 32-byte coordinates. */
export const G1_BYTES = 64
export const G2_BYTES = 128

export interface PointVectors {
  g1: Uint8Array[]
  g2: Uint8Array[]
}

export interface ShareArithmetic {
  /**
   * Party 0 adds the public constants of the arithmetic (a product's d*e, the shared hash's
   * round constants); the proof's own constants go to `CollaborativeProverOptions.publicParty`.
   */
  readonly party: 0 | 1
  /** Shares of x[i] * y[i] for every i, in one batched round. */
  multiply(x: bigint[], y: bigint[]): Promise<bigint[]>
  /** Shares of x[i]^2 for every i, in one batched round. */
  square(x: bigint[]): Promise<bigint[]>
  /** Both parties learn x[i] = own share + peer share. */
  openScalars(x: bigint[]): Promise<bigint[]>
  /** Both parties learn the sums of both parties' points, position by position (affine). */
  openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors>
  /** This party's share of n jointly random scalars (its own uniform values, from node:crypto). */
  randomScalars(n: number): bigint[]
}
