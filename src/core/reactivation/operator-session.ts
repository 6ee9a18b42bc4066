/**
 * The operator's side of a reactivation session: the hello gate, then the joint proof, then
 * the sealed submission and the decision. It runs against a ReactivationBackend, the
 * operator's rules and secrets narrowed to what a session needs.
 *
 * The membership proof is checked at the hello, before any 2PC work (DESIGN 2.5, bounded
 * sessions): a slot costs an attacker a proof, and a bogus hello costs the operator one
 * verification. Refusing it tells an honest voter nothing, since its membership proof is
 * valid whether or not its leaf is real.
 */
import { ChannelError, type Channel } from '../../mpc/channel.js'
import { Party } from '../../mpc/session.js'
import { combineProofShares } from '../../zk/collaborative-groth16.js'
import type { ProofWithSignals } from '../../zk/groth16.js'
import type { EncryptionContext } from '../messages.js'
import type { PublicParameters } from '../parameters.js'
import { ReactivationRejected, type AdmittedMembership, type ReactivationOutcome, type ReactivationSubmission } from '../reactivation.js'
import { leafOpeningCircuit, type LeafOpeningCircuit } from './circuits.js'
import { ReactivationSessionError } from './errors.js'
import { agreeSession, jointlyProve, preprocess } from './joint-proof.js'
import {
  decodeHello,
  encodeAcknowledgement,
  encodeHelloReply,
  freshNonce,
  HELLO_BYTES,
  isHelloRefusal,
  openSubmission,
  receiveExactly,
  SEALED_SUBMISSION_BYTES,
  type HelloRefusal,
} from './messages.js'
import type { ReactivationSessionOptions } from './options.js'

/**
 * What a session needs of the operator, and nothing more: its public parameters, the secrets
 * it puts into the joint proof, its rules for a membership proof and for a submission, and
 * the opening of the one ciphertext a session receives. The daemon's Operator is one.
 */
export interface ReactivationBackend {
  publicParameters(): PublicParameters
  /** K and kappa, the operator's inputs to the leaf-opening proof (KC = H(K, kappa)). */
  leafKeySecrets(): { K: bigint; kappa: bigint }
  /** The read-only checks of a membership proof; throws ReactivationRejected. */
  admitReactivation(membership: ProofWithSignals): Promise<Pick<AdmittedMembership, 'nullifier' | 'link'>>
  /** Opens the voter's sealed submission; throws when it does not open. */
  decrypt(ciphertext: Uint8Array, context: typeof EncryptionContext.sealedShare): Uint8Array
  /** The decision on a whole submission; throws ReactivationRejected when it records nothing. */
  acceptReactivation(submission: ReactivationSubmission): Promise<ReactivationOutcome>
}

/**
 * The nullifiers and links of the sessions each operator is running, so a second session
 * with one of them is refused at hello instead of racing the first to the end.
 */
const inFlight = new WeakMap<ReactivationBackend, { nullifiers: Set<bigint>; links: Set<bigint> }>()

function inFlightOf(backend: ReactivationBackend): { nullifiers: Set<bigint>; links: Set<bigint> } {
  let held = inFlight.get(backend)
  if (held === undefined) {
    held = { nullifiers: new Set(), links: new Set() }
    inFlight.set(backend, held)
  }
  return held
}

/**
 * Operator side of one reactivation session. Returns the outcome (for the operator's own
 * metrics; never sent), or throws a ChannelError / ReactivationSessionError when the session
 * ends early. Nothing is recorded unless the session reaches its end. A hello whose
 * membership proof the operator refuses, or whose N or L another running session holds,
 * ends the session before any 2PC message.
 */
export async function serveReactivation(
  channel: Channel,
  backend: ReactivationBackend,
  options: ReactivationSessionOptions = {},
): Promise<ReactivationOutcome> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const loaded = await leafOpeningCircuit()

  onPhase('handshake')
  const hello = decodeHello(await receiveExactly(channel, HELLO_BYTES, timeoutMs, 'hello'))
  const operatorNonce = freshNonce()
  const admission = await admit(backend, hello.membership)
  if (typeof admission === 'string') {
    await channel.send(encodeHelloReply({ nonce: operatorNonce, refusal: admission }))
    throw new ReactivationSessionError(admission, 'refused at hello')
  }
  try {
    await channel.send(encodeHelloReply({ nonce: operatorNonce }))
    return await proveAndAccept(channel, backend, options, loaded, { voterNonce: hello.nonce, operatorNonce, membership: hello.membership, link: admission.link })
  } finally {
    admission.release()
  }
}

/**
 * The read-only gate before any 2PC work: the operator's own checks of the membership
 * proof, then no other running session may hold its N or L. Holding them is synchronous
 * after the check, so two sessions with one N cannot both get through.
 */
async function admit(backend: ReactivationBackend, membership: ProofWithSignals): Promise<HelloRefusal | { link: bigint; release: () => void }> {
  let admitted: { nullifier: bigint; link: bigint }
  try {
    admitted = await backend.admitReactivation(membership)
  } catch (error) {
    if (!(error instanceof ReactivationRejected)) throw error
    // A refusal the hello reply has no status for (a key mismatch) is told as MALFORMED.
    return isHelloRefusal(error.code) ? error.code : 'MALFORMED'
  }
  const held = inFlightOf(backend)
  if (held.nullifiers.has(admitted.nullifier) || held.links.has(admitted.link)) return 'IN_PROGRESS'
  held.nullifiers.add(admitted.nullifier)
  held.links.add(admitted.link)
  return {
    link: admitted.link,
    release: () => {
      held.nullifiers.delete(admitted.nullifier)
      held.links.delete(admitted.link)
    },
  }
}

/** The operator's side after an admitted hello: the 2PC, the sealed submission, the decision. */
async function proveAndAccept(
  channel: Channel,
  backend: ReactivationBackend,
  options: ReactivationSessionOptions,
  loaded: LeafOpeningCircuit,
  hello: { voterNonce: Uint8Array; operatorNonce: Uint8Array; membership: ProofWithSignals; link: bigint },
): Promise<ReactivationOutcome> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const params = backend.publicParameters()
  const { voterNonce, operatorNonce, membership, link } = hello

  const session = await agreeSession(channel, Party.operator, { voter: voterNonce, operator: operatorNonce }, params, loaded, timeoutMs)
  onPhase('triples')
  const { K, kappa } = backend.leafKeySecrets()
  const own = { party: 'operator', inputs: { K, kappa } } as const
  const preprocessing = await preprocess(session, loaded, own)
  const share = await jointlyProve(session, loaded, preprocessing, own, [link, params.keyCommitment], onPhase)

  onPhase('submit')
  const sealed = await receiveExactly(channel, SEALED_SUBMISSION_BYTES, timeoutMs, 'sealed submission')
  const { cShare: peerCShare, newPublicKey } = openSubmission(sealed, (ciphertext, context) => backend.decrypt(ciphertext, context))
  let leafOpening: ProofWithSignals
  try {
    leafOpening = await combineProofShares(share, peerCShare)
  } catch (error) {
    // An honest voter's share is always a curve point, so refusing this reveals nothing to one.
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
  try {
    const outcome = await backend.acceptReactivation({ newPublicKey, membership, leafOpening })
    await channel.send(encodeAcknowledgement('received'))
    return outcome
  } catch (error) {
    if (error instanceof ReactivationRejected) {
      await channel.send(encodeAcknowledgement('refused'))
      throw new ReactivationSessionError('REFUSED', error.message)
    }
    throw error
  }
}
