/**
 * Two-party collaborative Groth16 prover on additive shares of the witness (Groth, "On the
 * Size of Pairing-based Non-interactive Arguments", EUROCRYPT 2016; the collaborative form of
 * Ozdemir and Boneh, "Experimenting with Collaborative zk-SNARKs", USENIX Security 2022),
 * producing exactly the proof snarkjs 0.7.6 `groth16_prove.js` produces for the same key.
 *
 * Everything is linear in the witness except the coset product a*b and r*s, so each party
 * runs the evaluations, FFTs and multi-exponentiations on its own share. One batched
 * multiplication round gives the coset product, r*s and the junk mask (1-b)*mu; one opening
 * round reveals pi_a, pi_b and B in G1, which r and s make uniformly random. The C point stays
 * shared, and with b = 0 it is offset by a uniformly random mu*G1 (DESIGN 2.3, step 3), so an
 * invalid witness hands the operator a random C.
 *
 * c = C*w is taken from the .r1cs rather than computed as a*b on the base domain as snarkjs
 * does: for a satisfying witness the two agree, and this way c costs no multiplication.
 *
 * The MSMs over wires a party knows before the 2PC (its own inputs and their hash) need
 * nothing from the peer, so that party can make them beforehand (`precomputeWires`), beside
 * the preprocessing, and the prover runs its MSMs over the rest only.
 *
 * The prover is written once against the ShareArithmetic driver (share-arithmetic.ts): the
 * 2PC runs it on BeaverArithmetic, the reference prover on PlainArithmetic, where one party
 * holds the whole witness and the result is an ordinary Groth16 proof.
 */
import { createHash } from 'node:crypto'
import { fieldElementsFromBytesLE, fieldElementsToBytesLE, Fr } from '../crypto/field.js'
import { MaciAnonError } from '../errors.js'
import type { Groth16Proof } from './groth16.js'
import type { ParsedR1cs } from './r1cs.js'
import { evaluateCombination } from './r1cs.js'
import type { PointVectors, ShareArithmetic } from './share-arithmetic.js'
import { loadBn128, type Bn128, type ParsedZkey } from './zkey.js'

export interface CollaborativeProverOptions {
  /** This party's additive share of the validity bit b in {0, 1}; b = 0 turns C into junk. */
  readonly validityBitShare: bigint
  /** w[1..nPublic], known to both parties; `publicParty` puts them in its share, the other zeros. */
  readonly publicSignals: bigint[]
  /**
   * The party whose share carries the constants: w[0] = 1, the public inputs, alpha1, beta1
   * and beta2. Default 0. The reactivation gives them to the voter, so that the operator's
   * share of pi_a has no part on a public wire's point and the proof is of the statement the
   * voter put in (share-representation.ts).
   */
  readonly publicParty?: 0 | 1
  /**
   * The private wires (past w[nPublic]) whose share this party may hold as nonzero, from a
   * layout both parties know (for the reactivation, who owns each wire:
   * src/zk/witness-layout.ts). Every other share is zero by the protocol, so the MSMs leave
   * out its points, which would add nothing. The set depends on the public layout only,
   * never on a value, so the work it saves says nothing about the inputs. Unset: every wire.
   * w[0] and the public inputs follow the rule above whatever the mask says.
   */
  readonly heldWires?: readonly boolean[]
  /** MSMs made beforehand over some private wires of this share (`precomputeWires`). */
  readonly precomputed?: PrecomputedWires
}

/**
 * One party's A, B1, B2 and C multi-exponentiations over a set of private wires, made before
 * the online phase. `digest` binds them to the wire values, so a share that disagrees with
 * them is refused rather than proved wrong.
 */
export interface PrecomputedWires {
  /** Over all wires: true where the MSMs below cover the wire. Never w[0] or a public input. */
  readonly wires: readonly boolean[]
  readonly digest: string
  readonly a: Uint8Array
  readonly b1: Uint8Array
  readonly b2: Uint8Array
  readonly c: Uint8Array
}

export interface CollaborativeProofShare {
  /** Opened pi_a, G1 affine: equal at both parties. */
  readonly piA: Uint8Array
  /** Opened pi_b, G2 affine: equal at both parties. */
  readonly piB: Uint8Array
  /** This party's share of C* = C + (1 - b) * mu * G1, G1 affine. */
  readonly piCShare: Uint8Array
  readonly publicSignals: bigint[]
  /**
   * This party's share of pi_a as it went into the opening (G1 affine), and its share of r:
   * with its witness share, what that share is made of, for share-representation.ts.
   */
  readonly aShare: { readonly point: Uint8Array; readonly r: bigint }
}

export class CollaborativeProverError extends MaciAnonError {
  constructor(detail: string) {
    super('COLLABORATIVE_PROVER', detail)
  }
}

/**
 * This party's half of the proof. `witnessShare` is its additive share of every wire; the
 * shares of w[0] and of the public inputs are ignored and replaced by the known values (at
 * `publicParty`) or zeros (at the other). Two rounds with the peer: one `multiply`, one
 * `openPoints`.
 */
export async function proveCollaboratively(
  zkey: ParsedZkey,
  r1cs: ParsedR1cs,
  witnessShare: bigint[],
  arithmetic: ShareArithmetic,
  options: CollaborativeProverOptions,
): Promise<CollaborativeProofShare> {
  assertMatchingCircuit(zkey, r1cs)
  if (witnessShare.length !== zkey.nVars) {
    throw new CollaborativeProverError(`witness share has ${witnessShare.length} wires, the key ${zkey.nVars}`)
  }
  if (options.publicSignals.length !== zkey.nPublic) {
    throw new CollaborativeProverError(`expected ${zkey.nPublic} public signals, got ${options.publicSignals.length}`)
  }
  const curve = await loadBn128()
  if (curve.q !== zkey.q || curve.r !== zkey.r) throw new CollaborativeProverError('the key is not over BN254')
  const { G1, G2 } = curve
  const holdsConstants = arithmetic.party === (options.publicParty ?? 0)

  const w = witnessShare.map((value, wire) => {
    if (wire > zkey.nPublic) return Fr.create(value)
    if (!holdsConstants) return 0n
    return wire === 0 ? 1n : Fr.create(options.publicSignals[wire - 1])
  })

  const [aCoset, bCoset, cCoset] = await cosetEvaluations(curve, zkey, r1cs, w)

  const [r, s, mu] = arithmetic.randomScalars(3).map((value) => Fr.create(value))
  const validityBitShare = Fr.create(options.validityBitShare)
  const oneMinusB = arithmetic.party === 0 ? Fr.sub(1n, validityBitShare) : Fr.neg(validityBitShare)
  const products = await arithmetic.multiply([...aCoset, r, oneMinusB], [...bCoset, s, mu])
  if (products.length !== zkey.domainSize + 2) throw new CollaborativeProverError('multiply returned the wrong number of shares')
  const hCoset = aCoset.map((_, i) => Fr.create(products[i] - cCoset[i]))
  const rs = Fr.create(products[zkey.domainSize])
  const mask = Fr.create(products[zkey.domainSize + 1])

  const precomputed = options.precomputed
  if (precomputed !== undefined && wireDigest(zkey, witnessShare, precomputed.wires) !== precomputed.digest) {
    throw new CollaborativeProverError('the precomputed wires were made for other values')
  }
  const held = heldWireIndices(zkey, holdsConstants, options.heldWires).filter((wire) => precomputed?.wires[wire] !== true)
  const [[aMsm, b1Msm, b2Msm, cMsm], hMsm] = await Promise.all([
    wireMsms(curve, zkey, held, w),
    G1.multiExpAffine(zkey.pointsH, fieldElementsToBytesLE(hCoset)),
  ])
  const times = (group: typeof G1, point: Uint8Array, scalar: bigint) => group.timesFr(point, curve.Fr.e(scalar))
  const before = precomputed ?? { a: G1.zeroAffine, b1: G1.zeroAffine, b2: G2.zeroAffine, c: G1.zeroAffine }
  let aShare = G1.add(G1.add(aMsm, before.a), times(G1, zkey.delta1, r))
  let b1Share = G1.add(G1.add(b1Msm, before.b1), times(G1, zkey.delta1, s))
  let b2Share = G2.add(G2.add(b2Msm, before.b2), times(G2, zkey.delta2, s))
  if (holdsConstants) {
    aShare = G1.add(aShare, zkey.alpha1)
    b1Share = G1.add(b1Share, zkey.beta1)
    b2Share = G2.add(b2Share, zkey.beta2)
  }

  const aShareAffine = G1.toAffine(aShare)
  const opened = await arithmetic.openPoints([aShareAffine, G1.toAffine(b1Share)], [G2.toAffine(b2Share)])
  const [piA, piB1] = opened.g1
  const [piB] = opened.g2
  if (opened.g1.length !== 2 || opened.g2.length !== 1 || ![piA, piB1].every((p) => G1.isValid(p)) || !G2.isValid(piB)) {
    throw new CollaborativeProverError('the opened points are not valid curve points')
  }

  let cShare = G1.add(G1.add(G1.add(cMsm, before.c), hMsm), times(G1, piA, s))
  cShare = G1.add(cShare, times(G1, piB1, r))
  cShare = G1.add(cShare, times(G1, zkey.delta1, Fr.neg(rs)))
  cShare = G1.add(cShare, times(G1, G1.g, mask))
  return {
    piA: G1.toAffine(piA),
    piB: G2.toAffine(piB),
    piCShare: G1.toAffine(cShare),
    publicSignals: options.publicSignals.map((value) => Fr.create(value)),
    aShare: { point: aShareAffine, r },
  }
}

/**
 * The A, B1, B2 and C MSMs of `share` over the private wires `wires` marks, for the prover to
 * add later (`CollaborativeProverOptions.precomputed`). Each needs only this party's values.
 */
export async function precomputeWires(zkey: ParsedZkey, share: readonly bigint[], wires: readonly boolean[]): Promise<PrecomputedWires> {
  if (share.length !== zkey.nVars || wires.length !== zkey.nVars) {
    throw new CollaborativeProverError(`precomputed wires: ${share.length} values and ${wires.length} marks for a key of ${zkey.nVars} wires`)
  }
  if (wires.slice(0, zkey.nPublic + 1).some(Boolean)) {
    throw new CollaborativeProverError('w[0] and the public inputs are never precomputed: the prover sets them')
  }
  const curve = await loadBn128()
  const { G1, G2 } = curve
  const [a, b1, b2, c] = await wireMsms(curve, zkey, wires.flatMap((marked, wire) => (marked ? [wire] : [])), share)
  return { wires, digest: wireDigest(zkey, share, wires), a: G1.toAffine(a), b1: G1.toAffine(b1), b2: G2.toAffine(b2), c: G1.toAffine(c) }
}

/**
 * The A, B1 and B2 MSMs of `values` over the wires at `indices` (ascending), and the C MSM
 * over the private ones among them: C has points for the private wires only.
 */
function wireMsms(curve: Bn128, zkey: ParsedZkey, indices: readonly number[], values: readonly bigint[]): Promise<Uint8Array[]> {
  const { G1, G2 } = curve
  const privateIndices = indices.filter((wire) => wire > zkey.nPublic)
  const scalars = fieldElementsToBytesLE(indices.map((wire) => Fr.create(values[wire])))
  // The public wires come first, so the private ones' scalars are the tail of the same bytes.
  const privateScalars = scalars.subarray((indices.length - privateIndices.length) * Fr.BYTES)
  const g1Bytes = G1.F.n8 * 2
  return Promise.all([
    G1.multiExpAffine(pointsAt(zkey.pointsA, g1Bytes, indices), scalars),
    G1.multiExpAffine(pointsAt(zkey.pointsB1, g1Bytes, indices), scalars),
    G2.multiExpAffine(pointsAt(zkey.pointsB2, G2.F.n8 * 2, indices), scalars),
    G1.multiExpAffine(pointsAt(zkey.pointsC, g1Bytes, privateIndices.map((wire) => wire - zkey.nPublic - 1)), privateScalars),
  ])
}

/** SHA-256 of the marked wires' indices and values: what precomputed MSMs were made for. */
export function wireDigest(zkey: ParsedZkey, share: readonly bigint[], wires: readonly boolean[]): string {
  const hash = createHash('sha256').update(`maci-anon/precomputed-wires/v1/${zkey.nVars}`)
  wires.forEach((marked, wire) => {
    if (marked) hash.update(`${wire}:`).update(fieldElementsToBytesLE([Fr.create(share[wire])]))
  })
  return hash.digest('hex')
}

/**
 * The wires this party's MSMs run over: w[0] and the public inputs when it holds the
 * constants (zeros otherwise), then the private wires `heldWires` marks (all when unset).
 */
function heldWireIndices(zkey: ParsedZkey, holdsConstants: boolean, heldWires: readonly boolean[] | undefined): number[] {
  if (heldWires !== undefined && heldWires.length !== zkey.nVars) {
    throw new CollaborativeProverError(`held-wire mask has ${heldWires.length} wires, the key ${zkey.nVars}`)
  }
  const wires: number[] = []
  for (let wire = 0; wire < zkey.nVars; wire++) {
    const held = wire <= zkey.nPublic ? holdsConstants : heldWires === undefined || heldWires[wire]
    if (held) wires.push(wire)
  }
  return wires
}

/** The points at `indices` of an affine point vector, in order. */
function pointsAt(points: Uint8Array, pointBytes: number, indices: readonly number[]): Uint8Array {
  const out = new Uint8Array(indices.length * pointBytes)
  indices.forEach((index, i) => out.set(points.subarray(index * pointBytes, (index + 1) * pointBytes), i * pointBytes))
  return out
}

/**
 * The operator's final step: its own share plus the voter's C* share give the proof in
 * snarkjs's JSON format. The peer's share must be a valid G1 point.
 */
export async function combineProofShares(
  own: CollaborativeProofShare,
  peerCShare: Uint8Array,
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const curve = await loadBn128()
  const [piC] = addPointShares(curve, { g1: [own.piCShare], g2: [] }, { g1: [peerCShare], g2: [] }).g1
  const decimal = (values: bigint[]) => values.map((value) => value.toString())
  return {
    proof: {
      pi_a: decimal(curve.G1.toObject(own.piA) as bigint[]),
      pi_b: (curve.G2.toObject(own.piB) as bigint[][]).map(decimal),
      pi_c: decimal(curve.G1.toObject(piC) as bigint[]),
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: decimal(own.publicSignals),
  }
}

/**
 * Sums two parties' point shares position by position (affine results), refusing bytes that
 * are not points on the curve. An openPoints implementation uses it on receipt.
 */
export function addPointShares(curve: Bn128, own: PointVectors, peer: PointVectors): PointVectors {
  if (own.g1.length !== peer.g1.length || own.g2.length !== peer.g2.length) {
    throw new CollaborativeProverError('point share counts differ')
  }
  const sum = (group: Bn128['G1'], bytes: number, a: Uint8Array, b: Uint8Array) => {
    if (a.length !== bytes || b.length !== bytes || !group.isValid(a) || !group.isValid(b)) {
      throw new CollaborativeProverError('a point share is not a valid affine curve point')
    }
    return group.toAffine(group.add(a, b))
  }
  const g1Bytes = curve.G1.F.n8 * 2
  const g2Bytes = curve.G2.F.n8 * 2
  return {
    g1: own.g1.map((point, i) => sum(curve.G1, g1Bytes, point, peer.g1[i])),
    g2: own.g2.map((point, i) => sum(curve.G2, g2Bytes, point, peer.g2[i])),
  }
}

/** The .r1cs and the .zkey must describe the same constraints, or the proof is garbage. */
function assertMatchingCircuit(zkey: ParsedZkey, r1cs: ParsedR1cs): void {
  if (r1cs.prime !== zkey.r || r1cs.nVars !== zkey.nVars || r1cs.nOutputs + r1cs.nPubInputs !== zkey.nPublic) {
    throw new CollaborativeProverError('the .r1cs and the .zkey are for different circuits')
  }
  if (r1cs.nConstraints + zkey.nPublic + 1 > zkey.domainSize) {
    throw new CollaborativeProverError('the constraints do not fit the key domain')
  }
  let k = 0
  const matches = (matrix: 0 | 1, constraint: number, terms: ParsedR1cs['constraints'][number]['a']) =>
    terms.every((term) => {
      const coefficient = zkey.coefficients[k++]
      return (
        coefficient !== undefined &&
        coefficient.matrix === matrix &&
        coefficient.constraint === constraint &&
        coefficient.signal === term.wire &&
        coefficient.value === term.coefficient % zkey.r
      )
    })
  const consistent = r1cs.constraints.every((constraint, i) => matches(0, i, constraint.a) && matches(1, i, constraint.b))
  if (!consistent || zkey.coefficients.slice(k).some((c) => c.constraint < r1cs.nConstraints || c.matrix !== 0)) {
    throw new CollaborativeProverError('the .zkey A/B coefficients do not match the .r1cs')
  }
}

/**
 * a = A*w, b = B*w and c = C*w on the odd coset, for a full witness or a share of one: the
 * evaluations the coset product multiplies.
 */
export async function cosetEvaluations(curve: Bn128, zkey: ParsedZkey, r1cs: ParsedR1cs, w: bigint[]): Promise<bigint[][]> {
  const [aBase, bBase] = evaluateAB(zkey, w)
  const cBase = evaluateC(r1cs, w, zkey.domainSize)
  return Promise.all([aBase, bBase, cBase].map((values) => toOddCoset(curve, zkey.power, values)))
}

/** a = A*w and b = B*w on the base domain, from the .zkey coefficients (public rows included). */
function evaluateAB(zkey: ParsedZkey, w: bigint[]): [bigint[], bigint[]] {
  const out: [bigint[], bigint[]] = [new Array<bigint>(zkey.domainSize).fill(0n), new Array<bigint>(zkey.domainSize).fill(0n)]
  for (const { matrix, constraint, signal, value } of zkey.coefficients) {
    out[matrix][constraint] += value * w[signal]
  }
  return [out[0].map((x) => Fr.create(x)), out[1].map((x) => Fr.create(x))]
}

/** c = C*w on the base domain, from the .r1cs; zero on the public-input rows and the padding. */
function evaluateC(r1cs: ParsedR1cs, w: bigint[], domainSize: number): bigint[] {
  const c = new Array<bigint>(domainSize).fill(0n)
  r1cs.constraints.forEach((constraint, i) => {
    c[i] = evaluateCombination(constraint.c, w, Fr.ORDER)
  })
  return c
}

/**
 * Evaluations on the base domain to evaluations on the odd coset, as snarkjs does: inverse
 * FFT, multiply coefficient i by inc^i, FFT.
 */
async function toOddCoset(curve: Bn128, power: number, values: bigint[]): Promise<bigint[]> {
  const F = curve.Fr
  const inc = power === F.s ? F.shift : F.w[power + 1]
  const coefficients = await F.ifft(await F.batchToMontgomery(fieldElementsToBytesLE(values)))
  const shifted = await F.fft(await F.batchApplyKey(coefficients, F.e(1), inc))
  return fieldElementsFromBytesLE(await F.batchFromMontgomery(shifted))
}
