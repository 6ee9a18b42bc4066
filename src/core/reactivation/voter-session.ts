/**
 * The voter's side of a reactivation session: its values and its membership proof, made
 * before any contact with the operator, then the hello, the joint proof and the sealed
 * submission. It learns nothing of the outcome: the acknowledgement is the same whether or
 * not its key gets activated (P1).
 */
import { ChannelError, type Channel } from '../../mpc/channel.js'
import { Party } from '../../mpc/session.js'
import type { PublicKey } from '../../crypto/keys.js'
import { isReleaseVerificationKeys } from '../../zk/artifacts.js'
import type { ProofWithSignals } from '../../zk/groth16.js'
import type { PublicParameters } from '../parameters.js'
import { prepareReactivation, proveMembership, type VoterReactivation } from '../voter.js'
import { leafOpeningCircuit } from './circuits.js'
import { ReactivationSessionError } from './errors.js'
import { assertPinnedKeyCommitment } from './key-pin.js'
import { agreeSession, jointlyProve, preprocess } from './joint-proof.js'
import {
  ACKNOWLEDGEMENT_BYTES,
  ACKNOWLEDGEMENT_TEXT,
  decodeAcknowledgement,
  decodeHelloReply,
  encodeHello,
  freshNonce,
  HELLO_REPLY_BYTES,
  receiveExactly,
  sealSubmission,
  type HelloRefusal,
} from './messages.js'
import type { ReactivationSessionOptions } from './options.js'

/** What the voter is told for each refusal at hello. */
const HELLO_REFUSAL_TEXT: Record<HelloRefusal, string> = {
  NULLIFIER_USED: 'this deactivation was already used to reactivate',
  LINK_USED: 'the operator refused the link',
  UNKNOWN_ROOT: 'the operator does not know the root the membership proof is against',
  BAD_MEMBERSHIP_PROOF: 'the operator found the membership proof invalid',
  MALFORMED: 'the operator could not read the membership proof',
  IN_PROGRESS: 'a session with this deactivation is already running',
}

export interface VoterReactivationInput {
  secret: bigint
  leafIndex: number
  /** The whole leaf list, never one path (DESIGN 2.3). */
  leaves: readonly bigint[]
  newPublicKey: PublicKey
  params: PublicParameters
  /**
   * The operator's published KC when the deactivation was made (the keystore pins it). The
   * session refuses parameters with another KC, before anything is sent (key-pin.ts).
   * Required, so that no caller leaves it out by accident; undefined only for a deactivation
   * saved before the pin.
   */
  deactivatedUnder: bigint | undefined
}

/** A reactivation whose voter-side values are computed, with its membership proof made or under way. */
export interface PreparedReactivation {
  reactivation: VoterReactivation
  membership: Promise<ProofWithSignals>
  newPublicKey: PublicKey
  params: PublicParameters
  deactivatedUnder: bigint | undefined
}

/**
 * Computes N, L and the path, and starts the membership proof, which needs no operator.
 * Await `membership` before opening the stream: the hello carries the finished proof and
 * must reach the operator within a few seconds of the stream's opening.
 */
export function prepareVoterReactivation(input: VoterReactivationInput): PreparedReactivation {
  const reactivation = prepareReactivation({ ...input, depth: input.params.depth })
  const membership = proveMembership(reactivation)
  // Marked handled here: a caller that gives up first never awaits it, and its own failure is the one to report.
  membership.catch(() => undefined)
  return { reactivation, membership, newPublicKey: input.newPublicKey, params: input.params, deactivatedUnder: input.deactivatedUnder }
}

/**
 * Voter side for a reactivation prepared beforehand, on a channel already open. The
 * membership proof is finished before anything is sent, since the operator checks it before
 * any 2PC work. Resolves with the fixed acknowledgement whether or not the key gets
 * activated; rejects when the session breaks or the operator refuses an unusable membership
 * proof at hello. (src/protocol/reactivate.ts's runVoterSession adds the transport's BUSY.)
 */
export async function voterSession(channel: Channel, prepared: PreparedReactivation, options: ReactivationSessionOptions = {}): Promise<{ acknowledgement: string }> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const { reactivation, params } = prepared
  const [loaded, membership] = await Promise.all([leafOpeningCircuit(), prepared.membership])
  // Before anything is sent: an operator publishing vkeys of its own making could accept
  // proofs that no honest artifacts produce, and its audit trail would match them.
  if (!isReleaseVerificationKeys(params.vkeyHashes)) {
    throw new ReactivationSessionError('RELEASE_MISMATCH', "the operator publishes verification keys that are not this release's")
  }
  assertPinnedKeyCommitment(params, prepared.deactivatedUnder)

  onPhase('handshake')
  const voterNonce = freshNonce()
  await sendHello(channel, encodeHello({ nonce: voterNonce, membership }))
  const reply = decodeHelloReply(await receiveExactly(channel, HELLO_REPLY_BYTES, timeoutMs, 'hello reply'))
  if (reply.refusal !== undefined) throw new ReactivationSessionError(reply.refusal, HELLO_REFUSAL_TEXT[reply.refusal])

  const session = await agreeSession(channel, Party.voter, { voter: voterNonce, operator: reply.nonce }, params, loaded, timeoutMs)
  onPhase('triples')
  const own = { party: 'voter', inputs: reactivation.leafOpening } as const
  const preprocessing = await preprocess(session, loaded, own)
  const share = await jointlyProve(session, loaded, preprocessing, own, [reactivation.link, params.keyCommitment], onPhase)

  onPhase('submit')
  await channel.send(sealSubmission(params.operatorPublicKey, { cShare: share.piCShare, newPublicKey: prepared.newPublicKey }))
  const answer = decodeAcknowledgement(await receiveExactly(channel, ACKNOWLEDGEMENT_BYTES, timeoutMs, 'acknowledgement'))
  if (answer === 'refused') throw new ReactivationSessionError('REFUSED', 'the operator refused the submission')
  return { acknowledgement: ACKNOWLEDGEMENT_TEXT }
}

/**
 * A full operator refuses as soon as the stream opens and may close it before the hello
 * leaves; its reason is then already queued, and is the error worth reporting.
 */
async function sendHello(channel: Channel, hello: Uint8Array): Promise<void> {
  try {
    await channel.send(hello)
  } catch (error) {
    if (error instanceof ChannelError && error.code === 'CLOSED') await channel.receive({ timeoutMs: 1_000 })
    throw error
  }
}
