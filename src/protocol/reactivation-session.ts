/**
 * The reactivation 2PC (DESIGN 2.3) as two session state machines over one Channel: the
 * operator (party 0, garbler) and the voter (party 1, evaluator) jointly prove the
 * leaf-opening statement; only the operator learns the proof, and it is junk unless the
 * voter's leaf is H(K, c). docs/PROTOCOL.md lists the messages one by one.
 *
 *   voter -> operator  hello: nonce, nullifier N, link L            (N and L are public anyway)
 *   operator -> voter  hello reply: nonce, proceed or refused (N or L already used)
 *   both               parameter agreement, Beaver triples by OT, shared Poseidon H(K, c),
 *                      validity bit b = [H(K, c) == leaf] by garbled circuit, collaborative
 *                      Groth16 with C* = C + (1 - b) mu G1
 *   voter -> operator  sealed: its C* share, the new key and its membership proof,
 *                      encrypted to the operator's published key
 *   operator -> voter  acknowledgement: the same bytes whether or not the key was activated
 *
 * Every message the voter sends or receives has a length fixed by the parameters alone, so
 * its transcript has the same shape whatever its leaf (P1).
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { encryptTo } from '../crypto/encryption.js'
import { FIELD_BYTES, fieldFromBytes, fieldReduce, fieldToBytes } from '../crypto/field.js'
import { publicKeyToString, type PublicKey } from '../crypto/keys.js'
import { ChannelError, type Channel } from '../mpc/channel.js'
import { xorBitToAdditive } from '../mpc/convert.js'
import { secureEquality } from '../mpc/garbled/equality.js'
import { agreeParameters, type MpcSession } from '../mpc/session.js'
import { generateSquarePairs, generateTriples } from '../mpc/triples.js'
import { EncryptionContext, ReactivationRejected, type Operator, type PublicParameters, type ReactivationOutcome } from '../daemon/operator.js'
import { prepareReactivation, proveMembership, type VoterReactivation } from '../daemon/voter.js'
import { artifactsOf } from '../zk/artifacts.js'
import { BeaverArithmetic, type Preprocessing } from '../zk/beaver-arithmetic.js'
import { combineProofShares, proveCollaboratively, type CollaborativeProofShare } from '../zk/collaborative-groth16.js'
import type { ProofWithSignals } from '../zk/groth16.js'
import { poseidonPreprocessing, sharedPoseidonTrace } from '../zk/poseidon-trace.js'
import { decodeProof, encodeProof, PROOF_BYTES } from '../zk/proof-encoding.js'
import { readR1cs, type ParsedR1cs } from '../zk/r1cs.js'
import { leafOpeningLayout, witnessShare, type WireSource } from '../zk/witness-layout.js'
import { readZkey, type ParsedZkey } from '../zk/zkey.js'

const PROTOCOL_TAG = Buffer.from('MAR1')
const NONCE_BYTES = 32
const HELLO_BYTES = PROTOCOL_TAG.length + NONCE_BYTES + 2 * FIELD_BYTES
const HELLO_REPLY_BYTES = NONCE_BYTES + 1
const G1_BYTES = 64
const MEMBERSHIP_SIGNALS = 4
const SEALED_PLAINTEXT_BYTES = G1_BYTES + 2 * FIELD_BYTES + PROOF_BYTES + MEMBERSHIP_SIGNALS * FIELD_BYTES
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

const HelloStatus = { proceed: 0, nullifierUsed: 1, linkUsed: 2 } as const

export type ReactivationSessionErrorCode = 'PROTOCOL' | 'NULLIFIER_USED' | 'LINK_USED' | 'REFUSED'

/** A session that ended without a proof, for a reason other than the channel. */
export class ReactivationSessionError extends Error {
  constructor(
    readonly code: ReactivationSessionErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ReactivationSessionError'
  }
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

/** Preprocessing per session: the proof's products, and the power tuples of H(K, c). */
export function preprocessingPerSession(domainSize: number): { triples: number; squares: number } {
  const hash = poseidonPreprocessing(2)
  return { triples: domainSize + PROOF_EXTRA_MULTIPLICATIONS + hash.multiplications, squares: hash.squarings }
}

/** What both parties must agree on before any secret is used. */
function sessionParameters(params: PublicParameters, loaded: LeafOpeningCircuit): Uint8Array {
  const description = JSON.stringify({
    protocol: '/maci-anon/reactivate/1.0.0',
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
  // H(K, c): the operator holds K, the voter holds c; each puts 0 for the other's input.
  const inputShares = own.party === 'operator' ? [own.inputs.K, 0n] : [0n, own.inputs.commitment]
  const trace = await sharedPoseidonTrace(inputShares, arithmetic)

  onPhase('validity-bit')
  // b = [H(K, c) == leaf] with H = h_O + h_V: the garbler inputs o = h_O, the evaluator
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
 * ends early. Nothing is recorded unless the session reaches its end.
 */
export async function serveReactivation(
  channel: Channel,
  operator: Operator,
  options: ReactivationSessionOptions = {},
): Promise<ReactivationOutcome> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const loaded = await leafOpeningCircuit()
  const params = operator.publicParameters()

  onPhase('handshake')
  const hello = await receiveExactly(channel, HELLO_BYTES, timeoutMs, 'hello')
  if (!PROTOCOL_TAG.equals(hello.subarray(0, PROTOCOL_TAG.length))) throw new ReactivationSessionError('PROTOCOL', 'not a reactivation hello')
  const voterNonce = hello.subarray(PROTOCOL_TAG.length, PROTOCOL_TAG.length + NONCE_BYTES)
  let nullifier: bigint
  let link: bigint
  try {
    nullifier = fieldFromBytes(hello.subarray(PROTOCOL_TAG.length + NONCE_BYTES, PROTOCOL_TAG.length + NONCE_BYTES + FIELD_BYTES))
    link = fieldFromBytes(hello.subarray(PROTOCOL_TAG.length + NONCE_BYTES + FIELD_BYTES))
  } catch (error) {
    throw new ChannelError('MALFORMED', `hello: ${(error as Error).message}`)
  }
  const operatorNonce = randomBytes(NONCE_BYTES)
  const status = operator.isNullifierUsed(nullifier)
    ? HelloStatus.nullifierUsed
    : operator.isLinkUsed(link)
      ? HelloStatus.linkUsed
      : HelloStatus.proceed
  await channel.send(Buffer.concat([operatorNonce, Buffer.from([status])]))
  if (status !== HelloStatus.proceed) {
    throw new ReactivationSessionError(status === HelloStatus.nullifierUsed ? 'NULLIFIER_USED' : 'LINK_USED', 'refused at hello')
  }

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
  const { peerCShare, newPublicKey, membership } = decodeSealed(plaintext)
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

function encodeSealed(cShare: Uint8Array, newPublicKey: PublicKey, membership: ProofWithSignals): Uint8Array {
  return Buffer.concat([cShare, fieldToBytes(newPublicKey[0]), fieldToBytes(newPublicKey[1]), encodeProof(membership)])
}

function decodeSealed(plaintext: Uint8Array): { peerCShare: Uint8Array; newPublicKey: PublicKey; membership: ProofWithSignals } {
  if (plaintext.length !== SEALED_PLAINTEXT_BYTES) throw new ChannelError('MALFORMED', 'sealed submission has the wrong length')
  try {
    const keyAt = G1_BYTES
    const newPublicKey: PublicKey = [
      fieldFromBytes(plaintext.subarray(keyAt, keyAt + FIELD_BYTES)),
      fieldFromBytes(plaintext.subarray(keyAt + FIELD_BYTES, keyAt + 2 * FIELD_BYTES)),
    ]
    return {
      peerCShare: plaintext.slice(0, G1_BYTES),
      newPublicKey,
      membership: decodeProof(plaintext.subarray(keyAt + 2 * FIELD_BYTES), MEMBERSHIP_SIGNALS),
    }
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

/** Computes N, L and the path, and starts the membership proof, which needs no operator. */
export function prepareVoterReactivation(input: VoterReactivationInput): PreparedReactivation {
  const reactivation = prepareReactivation({ ...input, depth: input.params.depth })
  const membership = proveMembership(reactivation)
  // Marked handled here: a session that fails first never awaits it, and its own failure is the one to report.
  membership.catch(() => undefined)
  return { reactivation, membership, newPublicKey: input.newPublicKey, params: input.params }
}

/**
 * Voter side. Proves membership alone while the 2PC runs, then submits both. Resolves with
 * the fixed acknowledgement whether or not the key gets activated; rejects only when the
 * session breaks or the operator refuses an unusable submission (a spent nullifier).
 */
export function requestReactivation(
  channel: Channel,
  input: VoterReactivationInput,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  return runVoterSession(channel, prepareVoterReactivation(input), options)
}

/**
 * Voter side for a reactivation prepared beforehand, for instance with its membership proof
 * made offline before connecting.
 */
export async function runVoterSession(
  channel: Channel,
  prepared: PreparedReactivation,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  const onPhase = options.onPhase ?? (() => {})
  const timeoutMs = options.timeoutMs
  const { reactivation, params } = prepared
  const loaded = await leafOpeningCircuit()

  onPhase('handshake')
  const voterNonce = randomBytes(NONCE_BYTES)
  await channel.send(Buffer.concat([PROTOCOL_TAG, voterNonce, fieldToBytes(reactivation.nullifier), fieldToBytes(reactivation.link)]))
  const reply = await receiveExactly(channel, HELLO_REPLY_BYTES, timeoutMs, 'hello reply')
  const status = reply[NONCE_BYTES]
  if (status === HelloStatus.nullifierUsed) throw new ReactivationSessionError('NULLIFIER_USED', 'this deactivation was already used to reactivate')
  if (status === HelloStatus.linkUsed) throw new ReactivationSessionError('LINK_USED', 'the operator refused the link')
  if (status !== HelloStatus.proceed) throw new ReactivationSessionError('PROTOCOL', `unknown hello status ${status}`)

  const session: MpcSession = { channel, party: VOTER, sessionId: sessionId(voterNonce, reply.subarray(0, NONCE_BYTES)), timeoutMs }
  await agreeParameters(session, sessionParameters(params, loaded))
  onPhase('triples')
  const preprocessing = await preprocess(session, loaded)
  const share = await jointlyProve(session, loaded, preprocessing, { party: 'voter', inputs: reactivation.leafOpening }, [reactivation.link, params.keyCommitment], onPhase)
  const membership = await prepared.membership

  onPhase('submit')
  const sealed = encryptTo(params.operatorPublicKey, encodeSealed(share.piCShare, prepared.newPublicKey, membership), EncryptionContext.sealedShare)
  await channel.send(sealed)
  const answer = Buffer.from(await receiveExactly(channel, ACKNOWLEDGEMENT.length, timeoutMs, 'acknowledgement'))
  if (answer.equals(REFUSAL)) throw new ReactivationSessionError('REFUSED', 'the operator refused the submission')
  if (!answer.equals(ACKNOWLEDGEMENT)) throw new ReactivationSessionError('PROTOCOL', 'unexpected acknowledgement')
  return { acknowledgement: ACKNOWLEDGEMENT_TEXT }
}
