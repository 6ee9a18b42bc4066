/**
 * The 2PC both parties of a reactivation run once the hello is through (DESIGN 2.3): the
 * operator (party 0, garbler) and the voter (party 1, evaluator) jointly prove the
 * leaf-opening statement; only the operator learns the proof, and it is junk unless the
 * voter's leaf is H(K, c, i).
 *
 *   parameter agreement, Beaver triples by OT, shared Poseidon H(K, c, i), validity bit
 *   b = [H(K, c, i) == leaf] by garbled circuit, collaborative Groth16 with
 *   C* = C + (1 - b) mu G1
 *
 * Both parties run the same steps in the same order; each puts in its own inputs and 0 for
 * the other's.
 */
import { createHash } from 'node:crypto'
import { Fr } from '../../crypto/field.js'
import { publicKeyToString } from '../../crypto/keys.js'
import type { Channel } from '../../mpc/channel.js'
import { xorBitToAdditive } from '../../mpc/convert.js'
import { secureEquality } from '../../mpc/garbled/equality.js'
import { agreeParameters, Party, receive, send, type MpcSession } from '../../mpc/session.js'
import { generateSquarePairs, generateTriples } from '../../mpc/triples.js'
import { BeaverArithmetic, type Preprocessing } from '../../zk/beaver-arithmetic.js'
import {
  precomputeWires,
  proveCollaboratively,
  wireDigest,
  type CollaborativeProofShare,
  type PrecomputedWires,
} from '../../zk/collaborative-groth16.js'
import { sharedPoseidonTrace, sharedPowerTuples, type PowerTuples } from '../../zk/poseidon-trace.js'
import {
  commitRepresentation,
  proveRepresentation,
  representationProof,
  verifyPeerAShare,
  type RepresentationCommitment,
} from '../../zk/share-representation.js'
import { knownShare, ownerOf, witnessShare } from '../../zk/witness-layout.js'
import type { PublicParameters } from '../parameters.js'
import type { VoterReactivation } from '../voter.js'
import { preprocessingPerSession, SHARED_HASH_INPUTS, type LeafOpeningCircuit } from './circuits.js'
import { REACTIVATION_PROTOCOL } from './messages.js'
import type { ReactivationPhase } from './options.js'

/** This party's private inputs to the leaf-opening proof. */
export type OwnInputs = { party: 'voter'; inputs: VoterReactivation['leafOpening'] } | { party: 'operator'; inputs: { K: bigint; kappa: bigint } }

/** What both parties must agree on before any secret is used. */
function sessionParameters(params: PublicParameters, loaded: LeafOpeningCircuit): Uint8Array {
  const description = JSON.stringify({
    protocol: REACTIVATION_PROTOCOL,
    keyCommitment: params.keyCommitment.toString(),
    operatorPublicKey: publicKeyToString(params.operatorPublicKey),
    vkeyHashes: params.vkeyHashes,
    zkey: loaded.zkeyHash,
    preprocessing: preprocessingPerSession(loaded.zkey.domainSize),
  })
  return new TextEncoder().encode(description)
}

function sessionId(voterNonce: Uint8Array, operatorNonce: Uint8Array): Uint8Array {
  return createHash('sha256').update('maci-anon/reactivate/session/v1').update(voterNonce).update(operatorNonce).digest()
}

/**
 * The MPC session of one reactivation, bound to the nonces of the hello and its reply, once
 * both parties have agreed on its parameters.
 */
export async function agreeSession(
  channel: Channel,
  party: Party,
  nonces: { voter: Uint8Array; operator: Uint8Array },
  params: PublicParameters,
  loaded: LeafOpeningCircuit,
  timeoutMs: number | undefined,
): Promise<MpcSession> {
  const session: MpcSession = { channel, party, sessionId: sessionId(nonces.voter, nonces.operator), timeoutMs }
  await agreeParameters(session, sessionParameters(params, loaded))
  return session
}

/**
 * What a party makes before the online phase, which starts at the shared hash: the
 * input-independent pool (Beaver triples, square pairs, the hash's power tuples), its known
 * share (the wires it knows in clear) and the MSMs over those wires, which need no peer;
 * for the operator also the commitment of its pi_a share proof.
 */
export interface SessionPreprocessing {
  pool: Preprocessing
  hashPowers: PowerTuples
  known: bigint[]
  precomputed: PrecomputedWires
  /** The operator's; undefined at the voter, which checks the proof instead. */
  representation: RepresentationCommitment | undefined
}

/**
 * The preprocessing of one session. This party's MSMs run beside the exchanges (on the
 * curve's worker threads); the operator's depend on K and kappa alone and are made once.
 */
export async function preprocess(session: MpcSession, loaded: LeafOpeningCircuit, own: OwnInputs): Promise<SessionPreprocessing> {
  const known = knownShare(loaded.layout, own.party, own.inputs)
  const [precomputed, representation, [pool, hashPowers]] = await Promise.all([
    own.party === 'operator' ? operatorWires(loaded, known) : precomputeWires(loaded.zkey, known, ownWires(loaded, own.party)),
    own.party === 'operator' ? commitRepresentation(loaded.zkey, operatorAShareWires(loaded)) : undefined,
    (async () => {
      const counts = preprocessingPerSession(loaded.zkey.domainSize)
      // The operator sends in every OT, so one base-OT set serves the triples, the square pairs,
      // the garbled circuit's input labels and the bit conversion.
      const options = { otSender: Party.operator } as const
      const triples = await generateTriples(session, counts.triples, options)
      const squares = await generateSquarePairs(session, counts.squares, options)
      const pool = { triples, squares }
      return [pool, await sharedPowerTuples(new BeaverArithmetic(session, pool), SHARED_HASH_INPUTS)] as const
    })(),
  ])
  return { pool, hashPowers, known, precomputed, representation }
}

/** The private wires a party knows in clear: its inputs and their hash (public inputs excluded). */
function ownWires(loaded: LeafOpeningCircuit, party: OwnInputs['party']): boolean[] {
  return loaded.layout.map((source, wire) => wire > loaded.zkey.nPublic && ownerOf(source) === party)
}

/**
 * The private wires where the operator's share may be nonzero (its own and the shared ones):
 * the bases of its pi_a share proof. They follow from the public layout alone.
 */
function operatorAShareWires(loaded: LeafOpeningCircuit): number[] {
  return loaded.layout.flatMap((source, wire) => (wire > loaded.zkey.nPublic && ownerOf(source) !== 'voter' ? [wire] : []))
}

/** What the pi_a share proof's challenge binds besides its statement: the session and the key. */
function representationContext(session: MpcSession, loaded: LeafOpeningCircuit): Uint8Array {
  return Buffer.concat([session.sessionId, Buffer.from(loaded.zkeyHash, 'hex')])
}

/** The operator's precomputed MSMs, for the last key they were made for. */
let operatorCache: { digest: string; wires: Promise<PrecomputedWires> } | undefined

function operatorWires(loaded: LeafOpeningCircuit, known: bigint[]): Promise<PrecomputedWires> {
  const wires = ownWires(loaded, 'operator')
  const digest = `${loaded.zkeyHash}/${wireDigest(loaded.zkey, known, wires)}`
  if (operatorCache?.digest !== digest) {
    const made = precomputeWires(loaded.zkey, known, wires)
    operatorCache = { digest, wires: made }
    // A failure is reported to the session that asked; the next one tries again.
    made.catch(() => {
      if (operatorCache?.wires === made) operatorCache = undefined
    })
  }
  return operatorCache.wires
}

/** The 2PC after preprocessing, to this party's proof share; the same steps for both parties. */
export async function jointlyProve(
  session: MpcSession,
  loaded: LeafOpeningCircuit,
  preprocessing: SessionPreprocessing,
  own: OwnInputs,
  publicSignals: bigint[],
  onPhase: (phase: ReactivationPhase) => void,
): Promise<CollaborativeProofShare> {
  const arithmetic = new BeaverArithmetic(session, preprocessing.pool)

  onPhase('shared-hash')
  // H(K, c, i): the operator holds K, the voter holds c and i; each puts 0 for the other's inputs.
  const inputShares = own.party === 'operator' ? [own.inputs.K, 0n, 0n] : [0n, own.inputs.commitment, own.inputs.index]
  const trace = await sharedPoseidonTrace(inputShares, arithmetic, preprocessing.hashPowers)

  onPhase('validity-bit')
  // b = [H(K, c, i) == leaf] with H = h_O + h_V: the garbler inputs o = h_O, the evaluator
  // u = leaf - h_V, so b = [u == o] and neither learns the other's input or b. The operator
  // garbles: a garbler chooses the circuit it garbles, and a voter garbling "always equal"
  // would turn the mask off for a random leaf.
  const equalityInput = own.party === 'operator' ? trace.output : Fr.create(own.inputs.leaf - trace.output)
  const bitShare = await secureEquality(session, own.party === 'operator' ? 'garbler' : 'evaluator', equalityInput)
  const validityBitShare = await xorBitToAdditive(session, bitShare)

  onPhase('proof')
  const witness = witnessShare(loaded.layout, own.party, preprocessing.known, trace)
  // A wire the other party owns is 0 in this party's share: its MSM points are left out.
  const heldWires = loaded.layout.map((source) => ownerOf(source) !== (own.party === 'operator' ? 'voter' : 'operator'))
  // The voter holds the proof's constants, the public inputs among them, so pi_a carries the
  // statement the voter put in; the operator proves that its share of pi_a adds nothing on a
  // public wire's point (share-representation.ts), and the voter checks that before its C*
  // share leaves (DESIGN 2.6).
  const share = await proveCollaboratively(loaded.zkey, loaded.r1cs, witness, arithmetic, {
    validityBitShare,
    publicSignals,
    publicParty: Party.voter,
    heldWires,
    precomputed: preprocessing.precomputed,
  })
  const wires = operatorAShareWires(loaded)
  const context = representationContext(session, loaded)
  if (own.party === 'voter') {
    await verifyPeerAShare(loaded.zkey, wires, share, await receive(session, representationProof, wires.length), context)
    return share
  }
  if (preprocessing.representation === undefined) throw new RangeError("the operator's preprocessing has no pi_a share commitment")
  const scalars = [...wires.map((wire) => witness[wire]), share.aShare.r]
  await send(session, representationProof, proveRepresentation(preprocessing.representation, scalars, share.aShare.point, context), wires.length)
  return share
}
