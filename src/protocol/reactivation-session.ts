/**
 * The reactivation 2PC (DESIGN 2.3) as two session state machines over one Channel: the
 * operator (party 0, garbler) and the voter (party 1, evaluator) jointly prove the
 * leaf-opening statement; only the operator learns the proof, and it is junk unless the
 * voter's leaf is H(K, c, i). docs/PROTOCOL.md lists the messages one by one.
 *
 *   voter -> operator  hello: nonce and the finished membership proof (root, N, newKeyHash, L)
 *   operator -> voter  hello reply: nonce, proceed or why not (proof invalid, root unknown,
 *                      N or L used, a session with this N or L already running)
 *   both               parameter agreement, Beaver triples by OT, shared Poseidon H(K, c, i),
 *                      validity bit b = [H(K, c, i) == leaf] by garbled circuit, collaborative
 *                      Groth16 with C* = C + (1 - b) mu G1
 *   voter -> operator  sealed: its C* share and the new key, encrypted to the operator's
 *                      published key
 *   operator -> voter  acknowledgement: the same bytes whether or not the key was activated
 *
 * Every message the voter sends or receives has a length fixed by the parameters alone, so
 * its transcript has the same shape whatever its leaf (P1).
 *
 * The membership proof is checked at the hello, before any 2PC work (DESIGN 2.5, bounded
 * sessions): a slot costs an attacker a proof, and a bogus hello costs the operator one
 * verification. Refusing it tells an honest voter nothing, since its membership proof is
 * valid whether or not its leaf is real.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { encryptTo } from '../crypto/encryption.js'
import { FIELD_BYTES, fieldFromBytes, fieldReduce, fieldToBytes } from '../crypto/field.js'
import { publicKeyToString, type PublicKey } from '../crypto/keys.js'
import { ChannelError, type Channel } from '../mpc/channel.js'
import { RemoteAbortError, retryAfterOf } from './errors.js'
import { PROTOCOLS } from './ids.js'
import { xorBitToAdditive } from '../mpc/convert.js'
import { secureEquality } from '../mpc/garbled/equality.js'
import { agreeParameters, type MpcSession } from '../mpc/session.js'
import { generateSquarePairs, generateTriples } from '../mpc/triples.js'
import { EncryptionContext, ReactivationRejected, type Operator, type PublicParameters, type ReactivationOutcome } from '../daemon/operator.js'
import { prepareReactivation, proveMembership, type VoterReactivation } from '../daemon/voter.js'
import { artifactsOf, isReleaseVerificationKeys } from '../zk/artifacts.js'
import { BeaverArithmetic, type Preprocessing } from '../zk/beaver-arithmetic.js'
import { combineProofShares, proveCollaboratively, type CollaborativeProofShare } from '../zk/collaborative-groth16.js'
import type { ProofWithSignals } from '../zk/groth16.js'
import { poseidonPreprocessing, sharedPoseidonTrace } from '../zk/poseidon-trace.js'
import { decodeProof, encodeProof, PROOF_BYTES } from '../zk/proof-encoding.js'
import { readR1cs, type ParsedR1cs } from '../zk/r1cs.js'
import { leafOpeningLayout, witnessShare, type WireSource } from '../zk/witness-layout.js'
import { readZkey, type ParsedZkey } from '../zk/zkey.js'

const PROTOCOL_TAG = Buffer.from('MAR2')
const NONCE_BYTES = 32
const MEMBERSHIP_SIGNALS = 4
const MEMBERSHIP_BYTES = PROOF_BYTES + MEMBERSHIP_SIGNALS * FIELD_BYTES
const HELLO_BYTES = PROTOCOL_TAG.length + NONCE_BYTES + MEMBERSHIP_BYTES
const HELLO_REPLY_BYTES = NONCE_BYTES + 1
const G1_BYTES = 64
const SEALED_PLAINTEXT_BYTES = G1_BYTES + 2 * FIELD_BYTES
/** ECIES overhead: ephemeral key, nonce and tag (src/crypto/encryption.ts). */
const SEALED_BYTES = SEALED_PLAINTEXT_BYTES + 64 + 12 + 16
const ACKNOWLEDGEMENT = Buffer.from('maci-anon reactivation received.')
const REFUSAL = Buffer.from('maci-anon reactivation refused!!')
/** Shown to the voter whatever happened: it cannot tell whether its key was activated. */
export const ACKNOWLEDGEMENT_TEXT = ACKNOWLEDGEMENT.toString('utf8')

const OPERATOR = 0
const VOTER = 1
/** Multiplications beside the coset product (one per domain point): r*s and (1-b)*mu. */
const PROOF_EXTRA_MULTIPLICATIONS = 2

const PROCEED = 0
/** Why a hello is refused; the reply's status byte is the index here plus one. */
const HELLO_REFUSALS = ['NULLIFIER_USED', 'LINK_USED', 'UNKNOWN_ROOT', 'BAD_MEMBERSHIP_PROOF', 'MALFORMED', 'IN_PROGRESS'] as const
export type HelloRefusal = (typeof HELLO_REFUSALS)[number]

/** What the voter is told for each refusal at hello. */
const HELLO_REFUSAL_TEXT: Record<HelloRefusal, string> = {
  NULLIFIER_USED: 'this deactivation was already used to reactivate',
  LINK_USED: 'the operator refused the link',
  UNKNOWN_ROOT: 'the operator does not know the root the membership proof is against',
  BAD_MEMBERSHIP_PROOF: 'the operator found the membership proof invalid',
  MALFORMED: 'the operator could not read the membership proof',
  IN_PROGRESS: 'a session with this deactivation is already running',
}

export type ReactivationSessionErrorCode = 'PROTOCOL' | 'REFUSED' | 'BUSY' | 'RELEASE_MISMATCH' | HelloRefusal

/** A session that ended without a proof, for a reason other than the channel. */
export class ReactivationSessionError extends Error {
  constructor(
    readonly code: ReactivationSessionErrorCode,
    message: string,
    /** For BUSY: the seconds after which the operator is sure to have a free slot. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ReactivationSessionError'
  }
}

/**
 * The nullifiers and links of the sessions each operator is running, so a second session
 * with one of them is refused at hello instead of racing the first to the end.
 */
const inFlight = new WeakMap<Operator, { nullifiers: Set<bigint>; links: Set<bigint> }>()

function inFlightOf(operator: Operator): { nullifiers: Set<bigint>; links: Set<bigint> } {
  let held = inFlight.get(operator)
  if (held === undefined) {
    held = { nullifiers: new Set(), links: new Set() }
    inFlight.set(operator, held)
  }
  return held
}

export interface ReactivationSessionOptions {
  /** Deadline for every receive, in milliseconds. */
  timeoutMs?: number
  /** Called at the start of each phase, for progress display. Never given secret values. */
  onPhase?: (phase: ReactivationPhase) => void
}

export type ReactivationPhase = 'handshake' | 'triples' | 'shared-hash' | 'validity-bit' | 'proof' | 'submit'

interface LeafOpeningCircuit {
  zkey: ParsedZkey
  r1cs: ParsedR1cs
  layout: WireSource[]
  zkeyHash: string
}

let circuit: Promise<LeafOpeningCircuit> | undefined

function leafOpeningCircuit(): Promise<LeafOpeningCircuit> {
  circuit ??= (async () => {
    const files = artifactsOf('leaf_opening')
    const [zkey, r1cs, layout] = await Promise.all([readZkey(files.zkey), readR1cs(files.r1cs), leafOpeningLayout()])
    const zkeyHash = createHash('sha256').update(await readFile(files.zkey)).digest('hex')
    return { zkey, r1cs, layout, zkeyHash }
  })()
  return circuit
}

/** Inputs of the shared hash H(K, c, i): the operator's K, the voter's c and i. */
const SHARED_HASH_INPUTS = 3

/** Preprocessing per session: the proof's products, and the power tuples of H(K, c, i). */
export function preprocessingPerSession(domainSize: number): { triples: number; squares: number } {
  const hash = poseidonPreprocessing(SHARED_HASH_INPUTS)
  return { triples: domainSize + PROOF_EXTRA_MULTIPLICATIONS + hash.multiplications, squares: hash.squarings }
}

/** What both parties must agree on before any secret is used. */
function sessionParameters(params: PublicParameters, loaded: LeafOpeningCircuit): Uint8Array {
  const description = JSON.stringify({
    protocol: PROTOCOLS.reactivate,
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

async function receiveExactly(channel: Channel, length: number, timeoutMs: number | undefined, what: string): Promise<Uint8Array> {
  const message = await channel.receive({ timeoutMs, maxBytes: length })
  if (message.length !== length) throw new ChannelError('UNEXPECTED', `${what}: expected ${length} bytes, got ${message.length}`)
  return message
}

/** Input-independent preprocessing: the Beaver triples and square pairs of one session. */
async function preprocess(session: MpcSession, loaded: LeafOpeningCircuit): Promise<Preprocessing> {
  const counts = preprocessingPerSession(loaded.zkey.domainSize)
  // The operator sends in every OT, so one base-OT set serves the triples, the square pairs,
  // the garbled circuit's input labels and the bit conversion.
  const options = { otSender: OPERATOR } as const
  const triples = await generateTriples(session, counts.triples, options)
  const squares = await generateSquarePairs(session, counts.squares, options)
  return { triples, squares }
}

/** The 2PC after preprocessing, to this party's proof share; the same steps for both parties. */
async function jointlyProve(
  session: MpcSession,
  loaded: LeafOpeningCircuit,
  preprocessing: Preprocessing,
  own: { party: 'voter'; inputs: VoterReactivation['leafOpening'] } | { party: 'operator'; inputs: { K: bigint; kappa: bigint } },
  publicSignals: bigint[],
  onPhase: (phase: ReactivationPhase) => void,
): Promise<CollaborativeProofShare> {
  const arithmetic = new BeaverArithmetic(session, preprocessing)

  onPhase('shared-hash')
  // H(K, c, i): the operator holds K, the voter holds c and i; each puts 0 for the other's inputs.
  const inputShares = own.party === 'operator' ? [own.inputs.K, 0n, 0n] : [0n, own.inputs.commitment, own.inputs.index]
  const trace = await sharedPoseidonTrace(inputShares, arithmetic)

  onPhase('validity-bit')
  // b = [H(K, c, i) == leaf] with H = h_O + h_V: the garbler inputs o = h_O, the evaluator
  // u = leaf - h_V, so b = [u == o] and neither learns the other's input or b.
  const equalityInput = own.party === 'operator' ? trace.output : fieldReduce(own.inputs.leaf - trace.output)
  const bitShare = await secureEquality(session, own.party === 'operator' ? 'garbler' : 'evaluator', equalityInput)
  const validityBitShare = await xorBitToAdditive(session, bitShare)

  onPhase('proof')
  const witness = witnessShare(loaded.layout, own.party, own.inputs, trace)
  return proveCollaboratively(loaded.zkey, loaded.r1cs, witness, arithmetic, { validityBitShare, publicSignals })
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
  operator: Operator,
  options: ReactivationSessionOptions = {},
): Promise<ReactivationOutcome> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const loaded = await leafOpeningCircuit()

  onPhase('handshake')
  const hello = await receiveExactly(channel, HELLO_BYTES, timeoutMs, 'hello')
  if (!PROTOCOL_TAG.equals(hello.subarray(0, PROTOCOL_TAG.length))) throw new ReactivationSessionError('PROTOCOL', 'not a reactivation hello')
  const voterNonce = hello.subarray(PROTOCOL_TAG.length, PROTOCOL_TAG.length + NONCE_BYTES)
  let membership: ProofWithSignals
  try {
    membership = decodeProof(hello.subarray(PROTOCOL_TAG.length + NONCE_BYTES), MEMBERSHIP_SIGNALS)
  } catch (error) {
    throw new ChannelError('MALFORMED', `hello: ${(error as Error).message}`)
  }
  const operatorNonce = randomBytes(NONCE_BYTES)
  const admission = await admit(operator, membership)
  if (typeof admission === 'string') {
    await channel.send(Buffer.concat([operatorNonce, Buffer.from([HELLO_REFUSALS.indexOf(admission) + 1])]))
    throw new ReactivationSessionError(admission, 'refused at hello')
  }
  try {
    await channel.send(Buffer.concat([operatorNonce, Buffer.from([PROCEED])]))
    return await proveAndAccept(channel, operator, options, loaded, { voterNonce, operatorNonce, membership, link: admission.link })
  } finally {
    admission.release()
  }
}

/**
 * The read-only gate before any 2PC work: the operator's own checks of the membership
 * proof, then no other running session may hold its N or L. Holding them is synchronous
 * after the check, so two sessions with one N cannot both get through.
 */
async function admit(operator: Operator, membership: ProofWithSignals): Promise<HelloRefusal | { link: bigint; release: () => void }> {
  let admitted: { nullifier: bigint; link: bigint }
  try {
    admitted = await operator.admitReactivation(membership)
  } catch (error) {
    if (!(error instanceof ReactivationRejected)) throw error
    return (HELLO_REFUSALS as readonly string[]).includes(error.code) ? (error.code as HelloRefusal) : 'MALFORMED'
  }
  const held = inFlightOf(operator)
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
  operator: Operator,
  options: ReactivationSessionOptions,
  loaded: LeafOpeningCircuit,
  hello: { voterNonce: Uint8Array; operatorNonce: Uint8Array; membership: ProofWithSignals; link: bigint },
): Promise<ReactivationOutcome> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const params = operator.publicParameters()
  const { voterNonce, operatorNonce, membership, link } = hello

  const session: MpcSession = { channel, party: OPERATOR, sessionId: sessionId(voterNonce, operatorNonce), timeoutMs }
  await agreeParameters(session, sessionParameters(params, loaded))
  onPhase('triples')
  const preprocessing = await preprocess(session, loaded)
  const { leafKey, leafKeyBlinding } = operator.leafKeySecrets()
  const share = await jointlyProve(
    session,
    loaded,
    preprocessing,
    { party: 'operator', inputs: { K: leafKey, kappa: leafKeyBlinding } },
    [link, params.keyCommitment],
    onPhase,
  )

  onPhase('submit')
  const sealed = await receiveExactly(channel, SEALED_BYTES, timeoutMs, 'sealed submission')
  let plaintext: Uint8Array
  try {
    plaintext = operator.decrypt(sealed, EncryptionContext.sealedShare)
  } catch (error) {
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
  const { peerCShare, newPublicKey } = decodeSealed(plaintext)
  let leafOpening: ProofWithSignals
  try {
    leafOpening = await combineProofShares(share, peerCShare)
  } catch (error) {
    // An honest voter's share is always a curve point, so refusing this reveals nothing to one.
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
  try {
    const outcome = await operator.acceptReactivation({ newPublicKey, membership, leafOpening })
    await channel.send(ACKNOWLEDGEMENT)
    return outcome
  } catch (error) {
    if (error instanceof ReactivationRejected) {
      await channel.send(REFUSAL)
      throw new ReactivationSessionError('REFUSED', error.message)
    }
    throw error
  }
}

function encodeSealed(cShare: Uint8Array, newPublicKey: PublicKey): Uint8Array {
  return Buffer.concat([cShare, fieldToBytes(newPublicKey[0]), fieldToBytes(newPublicKey[1])])
}

function decodeSealed(plaintext: Uint8Array): { peerCShare: Uint8Array; newPublicKey: PublicKey } {
  if (plaintext.length !== SEALED_PLAINTEXT_BYTES) throw new ChannelError('MALFORMED', 'sealed submission has the wrong length')
  try {
    const keyAt = G1_BYTES
    const newPublicKey: PublicKey = [
      fieldFromBytes(plaintext.subarray(keyAt, keyAt + FIELD_BYTES)),
      fieldFromBytes(plaintext.subarray(keyAt + FIELD_BYTES, keyAt + 2 * FIELD_BYTES)),
    ]
    return { peerCShare: plaintext.slice(0, G1_BYTES), newPublicKey }
  } catch (error) {
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
}

export interface VoterReactivationInput {
  secret: bigint
  leafIndex: number
  /** The whole leaf list, never one path (DESIGN 2.3). */
  leaves: readonly bigint[]
  newPublicKey: PublicKey
  params: PublicParameters
}

/** A reactivation whose voter-side values are computed, with its membership proof made or under way. */
export interface PreparedReactivation {
  reactivation: VoterReactivation
  membership: Promise<ProofWithSignals>
  newPublicKey: PublicKey
  params: PublicParameters
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
  return { reactivation, membership, newPublicKey: input.newPublicKey, params: input.params }
}

/**
 * Voter side on a channel already open: proves membership, then runs the session. Resolves
 * with the fixed acknowledgement whether or not the key gets activated; rejects when the
 * session breaks, the operator is busy (BUSY, with when to retry) or it refuses an unusable
 * membership proof at hello. Over the network, prefer prepareVoterReactivation, then open
 * the stream once the proof is made, then runVoterSession.
 */
export function requestReactivation(
  channel: Channel,
  input: VoterReactivationInput,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  return runVoterSession(channel, prepareVoterReactivation(input), options)
}

/**
 * Voter side for a reactivation prepared beforehand. The membership proof is finished
 * before anything is sent, since the operator checks it before any 2PC work.
 */
export async function runVoterSession(
  channel: Channel,
  prepared: PreparedReactivation,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  try {
    return await voterSession(channel, prepared, options)
  } catch (error) {
    const retryAfterSeconds = retryAfterOf(error)
    if (retryAfterSeconds === undefined) throw error
    throw new ReactivationSessionError('BUSY', (error as RemoteAbortError).reason, retryAfterSeconds)
  }
}

async function voterSession(channel: Channel, prepared: PreparedReactivation, options: ReactivationSessionOptions): Promise<{ acknowledgement: string }> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const { reactivation, params } = prepared
  const [loaded, membership] = await Promise.all([leafOpeningCircuit(), prepared.membership])
  // Before anything is sent: an operator publishing vkeys of its own making could accept
  // proofs that no honest artifacts produce, and its audit trail would match them.
  if (!isReleaseVerificationKeys(params.vkeyHashes)) {
    throw new ReactivationSessionError('RELEASE_MISMATCH', "the operator publishes verification keys that are not this release's")
  }

  onPhase('handshake')
  const voterNonce = randomBytes(NONCE_BYTES)
  await sendHello(channel, Buffer.concat([PROTOCOL_TAG, voterNonce, encodeProof(membership)]))
  const reply = await receiveExactly(channel, HELLO_REPLY_BYTES, timeoutMs, 'hello reply')
  const status = reply[NONCE_BYTES]
  if (status !== PROCEED) {
    const refusal = HELLO_REFUSALS[status - 1] as HelloRefusal | undefined
    if (refusal === undefined) throw new ReactivationSessionError('PROTOCOL', `unknown hello status ${status}`)
    throw new ReactivationSessionError(refusal, HELLO_REFUSAL_TEXT[refusal])
  }

  const session: MpcSession = { channel, party: VOTER, sessionId: sessionId(voterNonce, reply.subarray(0, NONCE_BYTES)), timeoutMs }
  await agreeParameters(session, sessionParameters(params, loaded))
  onPhase('triples')
  const preprocessing = await preprocess(session, loaded)
  const share = await jointlyProve(session, loaded, preprocessing, { party: 'voter', inputs: reactivation.leafOpening }, [reactivation.link, params.keyCommitment], onPhase)

  onPhase('submit')
  const sealed = encryptTo(params.operatorPublicKey, encodeSealed(share.piCShare, prepared.newPublicKey), EncryptionContext.sealedShare)
  await channel.send(sealed)
  const answer = Buffer.from(await receiveExactly(channel, ACKNOWLEDGEMENT.length, timeoutMs, 'acknowledgement'))
  if (answer.equals(REFUSAL)) throw new ReactivationSessionError('REFUSED', 'the operator refused the submission')
  if (!answer.equals(ACKNOWLEDGEMENT)) throw new ReactivationSessionError('PROTOCOL', 'unexpected acknowledgement')
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
