/**
 * A proof that one party's share of pi_a has no part on a public wire's point: that it is
 *
 *   A_share = sum_{i in S} x_i * A_i + x_r * delta1
 *
 * for the private wires S this party may hold (a public layout) and scalars x it knows (its
 * witness share on S and its share of Groth16's r). The party that holds the constants
 * (w[0] = 1, the public inputs, alpha1) adds the rest of pi_a itself, so pi_a carries the
 * public inputs that party put in, and nobody else's (DESIGN 2.6: "the public wires are
 * constants the voter enforces").
 *
 * Why that binds the statement: snarkjs gives every public wire i a row of its own in A
 * (A[nConstraints + i][i] = 1, zkey.ts), so no A_i of a public wire is a combination of the
 * private ones and delta. A Groth16 proof that verifies against other public inputs needs
 * pi_a's coefficients on those points to be the other inputs (Groth, EUROCRYPT 2016, the
 * proof of Theorem 1, in the generic group model): with the coefficients fixed by the voter,
 * an operator cannot turn a session into a proof of another statement by shifting its share
 * of a public wire, as it could when it held them.
 *
 * The construction is the Schnorr-style proof of knowledge of a representation (Okamoto,
 * CRYPTO 1992, section 3; in the general linear form of Maurer, AFRICACRYPT 2009, section
 * 4), made non-interactive by Fiat-Shamir over the whole statement (bases named by the zkey
 * and the wire list, the share, the commitment) and the session, as Bernhard, Pereira and
 * Warinschi (ASIACRYPT 2012) require for strong soundness:
 *
 *   prover:   y uniform, T = sum y_i P_i;  e = H(context, S, A_share, T);  z_i = y_i + e x_i
 *   verifier: sum z_i P_i == T + e A_share
 *
 * It is special-sound (two answers to one T give x) and honest-verifier zero-knowledge, so in
 * the random-oracle model it reveals nothing about x: each z_i is y_i + e x_i with y_i
 * uniform. The commitment needs no value, so the prover makes it in the preprocessing; its
 * nonces serve one proof only.
 */
import { createHash } from 'node:crypto'
import { fieldElementsFromBytesLE, fieldElementsToBytesLE, Fr, randomFieldElements } from '../crypto/field.js'
import { ChannelError } from '../mpc/channel.js'
import { type Message, MessageTag } from '../mpc/session.js'
import type { CollaborativeProofShare } from './collaborative-groth16.js'
import { G1_BYTES } from './share-arithmetic.js'
import { loadBn128, type ParsedZkey } from './zkey.js'

/** The prover's commitment, made before it knows its scalars; used for one proof. */
export interface RepresentationCommitment {
  readonly wires: readonly number[]
  readonly nonces: readonly bigint[]
  readonly point: Uint8Array
}

export interface RepresentationProof {
  /** T, G1 affine. */
  readonly commitment: Uint8Array
  /** z: one per wire of S, then the one for delta1. */
  readonly responses: readonly bigint[]
}

/**
 * The peer's share of pi_a is not what its proof says, or the proof is no proof. The code is
 * MALFORMED, as for the other checks of the peer's bytes (src/mpc/errors.ts); `check` tells
 * this refusal apart.
 */
export class ShareRepresentationError extends ChannelError {
  declare readonly code: 'MALFORMED'
  readonly check = 'A_SHARE_REPRESENTATION' as const

  constructor(detail: string) {
    super('MALFORMED', detail)
  }
}

/** The proof's one message, operator to voter in the reactivation; shape: |S|. */
export const representationProof: Message<RepresentationProof, number> = {
  tag: MessageTag.shareRepresentation,
  bytes: (wireCount) => G1_BYTES + (wireCount + 1) * Fr.BYTES,
  encode: (proof) => {
    const out = new Uint8Array(G1_BYTES + proof.responses.length * Fr.BYTES)
    out.set(proof.commitment, 0)
    out.set(fieldElementsToBytesLE(proof.responses), G1_BYTES)
    return out
  },
  decode: (payload) => {
    try {
      return { commitment: payload.slice(0, G1_BYTES), responses: fieldElementsFromBytesLE(payload.subarray(G1_BYTES)) }
    } catch {
      throw new ShareRepresentationError('a response of the pi_a share proof is not a field element')
    }
  },
}

/** The bases: A_i for each wire of S (ascending private wires), then delta1. */
function basesOf(zkey: ParsedZkey, wires: readonly number[]): Uint8Array {
  const out = new Uint8Array((wires.length + 1) * G1_BYTES)
  let previous = zkey.nPublic
  wires.forEach((wire, i) => {
    if (!Number.isInteger(wire) || wire <= previous || wire >= zkey.nVars) {
      throw new RangeError('the wires of a pi_a share proof are ascending private wires of the key')
    }
    previous = wire
    out.set(zkey.pointsA.subarray(wire * G1_BYTES, (wire + 1) * G1_BYTES), i * G1_BYTES)
  })
  out.set(zkey.delta1, wires.length * G1_BYTES)
  return out
}

/** T = sum y_i P_i for fresh uniform y (node:crypto), on the curve's worker threads. */
export async function commitRepresentation(zkey: ParsedZkey, wires: readonly number[]): Promise<RepresentationCommitment> {
  const { G1 } = await loadBn128()
  const nonces = randomFieldElements(wires.length + 1)
  const point = G1.toAffine(await G1.multiExpAffine(basesOf(zkey, wires), fieldElementsToBytesLE(nonces)))
  return { wires: [...wires], nonces, point }
}

/** e = H(context, S, A_share, T) as a field element: SHA-512, reduced (bias below 2^-256). */
function challenge(context: Uint8Array, wires: readonly number[], share: Uint8Array, commitment: Uint8Array): bigint {
  const hash = createHash('sha512').update('maci-anon/a-share-representation/v1').update(context)
  const indices = new Uint8Array(4 * (wires.length + 1))
  const view = new DataView(indices.buffer)
  view.setUint32(0, wires.length, true)
  wires.forEach((wire, i) => view.setUint32(4 * (i + 1), wire, true))
  const digest = hash.update(indices).update(share).update(commitment).digest()
  return Fr.create(BigInt(`0x${digest.toString('hex')}`))
}

/**
 * The proof for `share` = sum scalars_i P_i, where `scalars` are this party's values on the
 * commitment's wires followed by its share of r. `context` names the session and the key.
 */
export function proveRepresentation(
  commitment: RepresentationCommitment,
  scalars: readonly bigint[],
  share: Uint8Array,
  context: Uint8Array,
): RepresentationProof {
  if (scalars.length !== commitment.nonces.length) {
    throw new RangeError(`a pi_a share proof over ${commitment.wires.length} wires takes ${commitment.nonces.length} scalars, got ${scalars.length}`)
  }
  const e = challenge(context, commitment.wires, share, commitment.point)
  const responses = commitment.nonces.map((y, i) => Fr.add(y, Fr.mul(e, Fr.create(scalars[i]))))
  return { commitment: commitment.point, responses }
}

/**
 * Refuses (ShareRepresentationError) unless `proof` shows that `share` is a combination of
 * the A points of `wires` and delta1 alone.
 */
export async function verifyRepresentation(
  zkey: ParsedZkey,
  wires: readonly number[],
  share: Uint8Array,
  proof: RepresentationProof,
  context: Uint8Array,
): Promise<void> {
  const curve = await loadBn128()
  const { G1 } = curve
  if (proof.responses.length !== wires.length + 1) throw new ShareRepresentationError(`expected ${wires.length + 1} responses, got ${proof.responses.length}`)
  if (proof.commitment.length !== G1_BYTES || !G1.isValid(proof.commitment)) {
    throw new ShareRepresentationError('the commitment of the pi_a share proof is not a curve point')
  }
  const e = challenge(context, wires, share, proof.commitment)
  const left = await G1.multiExpAffine(basesOf(zkey, wires), fieldElementsToBytesLE(proof.responses))
  const right = G1.add(proof.commitment, G1.timesFr(share, curve.Fr.e(e)))
  if (!G1.eq(left, right)) throw new ShareRepresentationError("the peer's share of pi_a is not made of its private wires and r alone")
}

/**
 * The check of the peer's share of pi_a, which is the opened pi_a less this party's own
 * share (`own`, from the prover). Refuses as verifyRepresentation does.
 */
export async function verifyPeerAShare(
  zkey: ParsedZkey,
  wires: readonly number[],
  own: CollaborativeProofShare,
  proof: RepresentationProof,
  context: Uint8Array,
): Promise<void> {
  const { G1 } = await loadBn128()
  const peer = G1.toAffine(G1.add(own.piA, G1.neg(own.aShare.point)))
  await verifyRepresentation(zkey, wires, peer, proof, context)
}
