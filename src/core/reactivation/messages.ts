/**
 * The messages of the reactivation session that are its own (docs/PROTOCOL.md §5.1), each
 * with its one fixed-size encoding; the 2PC in between is the MPC layer's (joint-proof.ts).
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
 * its transcript has the same shape whatever its leaf (P1). Each length is defined once,
 * here, and every receive asks for exactly that many bytes.
 */
import { randomBytes } from 'node:crypto'
import { CIPHERTEXT_OVERHEAD, encryptTo } from '../../crypto/encryption.js'
import { Fr } from '../../crypto/field.js'
import type { PublicKey } from '../../crypto/keys.js'
import { ChannelError, type Channel } from '../../mpc/channel.js'
import type { ProofWithSignals } from '../../zk/groth16.js'
import { decodeProof, encodeProof, PROOF_BYTES } from '../../zk/proof-encoding.js'
import { G1_BYTES } from '../../zk/share-arithmetic.js'
import { EncryptionContext } from '../messages.js'
import { MEMBERSHIP_SIGNAL_COUNT } from '../reactivation.js'
import { ReactivationSessionError } from './errors.js'

/**
 * The version of this message sequence. src/protocol/ids.ts serves the session under it, and
 * both parties bind it into the parameters they agree on (joint-proof.ts).
 */
export const REACTIVATION_PROTOCOL = '/maci-anon/reactivate/2.0.0'

const PROTOCOL_TAG = Buffer.from('MAR2')
const NONCE_BYTES = 32

/** Receives the next message, which must be exactly `length` bytes long (`what` names it in errors). */
export async function receiveExactly(channel: Channel, length: number, timeoutMs: number | undefined, what: string): Promise<Uint8Array> {
  const message = await channel.receive({ timeoutMs, maxBytes: length })
  if (message.length !== length) throw new ChannelError('UNEXPECTED', `${what}: expected ${length} bytes, got ${message.length}`)
  return message
}

/** The voter's first message: its nonce and its finished membership proof with the proof's signals. */
export interface Hello {
  nonce: Uint8Array
  membership: ProofWithSignals
}

export const HELLO_BYTES = PROTOCOL_TAG.length + NONCE_BYTES + PROOF_BYTES + MEMBERSHIP_SIGNAL_COUNT * Fr.BYTES

export function encodeHello(hello: Hello): Uint8Array {
  return Buffer.concat([PROTOCOL_TAG, hello.nonce, encodeProof(hello.membership)])
}

/** Reads a hello of HELLO_BYTES: PROTOCOL for another tag, MALFORMED for a proof that does not decode. */
export function decodeHello(bytes: Uint8Array): Hello {
  if (!PROTOCOL_TAG.equals(bytes.subarray(0, PROTOCOL_TAG.length))) throw new ReactivationSessionError('PROTOCOL', 'not a reactivation hello')
  const nonce = bytes.subarray(PROTOCOL_TAG.length, PROTOCOL_TAG.length + NONCE_BYTES)
  try {
    return { nonce, membership: decodeProof(bytes.subarray(PROTOCOL_TAG.length + NONCE_BYTES), MEMBERSHIP_SIGNAL_COUNT) }
  } catch (error) {
    throw new ChannelError('MALFORMED', `hello: ${(error as Error).message}`)
  }
}

const PROCEED = 0
/** Why a hello is refused; the reply's status byte is the index here plus one. */
const HELLO_REFUSALS = ['NULLIFIER_USED', 'LINK_USED', 'UNKNOWN_ROOT', 'BAD_MEMBERSHIP_PROOF', 'MALFORMED', 'IN_PROGRESS'] as const
export type HelloRefusal = (typeof HELLO_REFUSALS)[number]

export function isHelloRefusal(code: string): code is HelloRefusal {
  return (HELLO_REFUSALS as readonly string[]).includes(code)
}

/** The operator's answer to a hello: its nonce, and the refusal if it does not proceed. */
export interface HelloReply {
  nonce: Uint8Array
  refusal?: HelloRefusal
}

export const HELLO_REPLY_BYTES = NONCE_BYTES + 1

export function encodeHelloReply(reply: HelloReply): Uint8Array {
  const status = reply.refusal === undefined ? PROCEED : HELLO_REFUSALS.indexOf(reply.refusal) + 1
  return Buffer.concat([reply.nonce, Buffer.from([status])])
}

/** Reads a hello reply of HELLO_REPLY_BYTES: PROTOCOL for a status byte it does not know. */
export function decodeHelloReply(bytes: Uint8Array): HelloReply {
  const nonce = bytes.subarray(0, NONCE_BYTES)
  const status = bytes[NONCE_BYTES]
  if (status === PROCEED) return { nonce }
  const refusal = HELLO_REFUSALS[status - 1] as HelloRefusal | undefined
  if (refusal === undefined) throw new ReactivationSessionError('PROTOCOL', `unknown hello status ${status}`)
  return { nonce, refusal }
}

/** A fresh nonce for a hello or its reply: the session id binds both (joint-proof.ts). */
export function freshNonce(): Uint8Array {
  return randomBytes(NONCE_BYTES)
}

/** The voter's last message, sealed to the operator's published key: its share of C* and its new key. */
export interface SealedSubmission {
  cShare: Uint8Array
  newPublicKey: PublicKey
}

const SEALED_PLAINTEXT_BYTES = G1_BYTES + 2 * Fr.BYTES
/** What travels: the sealed plaintext under ECIES (src/crypto/encryption.ts). */
export const SEALED_SUBMISSION_BYTES = SEALED_PLAINTEXT_BYTES + CIPHERTEXT_OVERHEAD

export function sealSubmission(operatorPublicKey: PublicKey, submission: SealedSubmission): Uint8Array {
  const plaintext = Buffer.concat([submission.cShare, Fr.toBytesBE(submission.newPublicKey[0]), Fr.toBytesBE(submission.newPublicKey[1])])
  return encryptTo(operatorPublicKey, plaintext, EncryptionContext.sealedShare)
}

/**
 * Opens a sealed submission of SEALED_SUBMISSION_BYTES with the operator's `decrypt`; MALFORMED
 * if it does not open or does not decode. The C share is returned as bytes: whether they are
 * a curve point is for the prover's combination to say.
 */
export function openSubmission(
  sealed: Uint8Array,
  decrypt: (ciphertext: Uint8Array, context: typeof EncryptionContext.sealedShare) => Uint8Array,
): SealedSubmission {
  let plaintext: Uint8Array
  try {
    plaintext = decrypt(sealed, EncryptionContext.sealedShare)
  } catch (error) {
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
  if (plaintext.length !== SEALED_PLAINTEXT_BYTES) throw new ChannelError('MALFORMED', 'sealed submission has the wrong length')
  try {
    const keyAt = G1_BYTES
    const newPublicKey: PublicKey = [
      Fr.fromBytesBE(plaintext.subarray(keyAt, keyAt + Fr.BYTES)),
      Fr.fromBytesBE(plaintext.subarray(keyAt + Fr.BYTES, keyAt + 2 * Fr.BYTES)),
    ]
    return { cShare: plaintext.slice(0, G1_BYTES), newPublicKey }
  } catch (error) {
    throw new ChannelError('MALFORMED', `sealed submission: ${(error as Error).message}`)
  }
}

const RECEIVED = Buffer.from('maci-anon reactivation received.')
const REFUSED = Buffer.from('maci-anon reactivation refused!!')
/** Shown to the voter whatever happened: it cannot tell whether its key was activated. */
export const ACKNOWLEDGEMENT_TEXT = RECEIVED.toString('utf8')
/** Both answers have this one length. */
export const ACKNOWLEDGEMENT_BYTES = RECEIVED.length

/**
 * The operator's last message. `received` whether or not the key was activated; `refused`
 * only when the operator refuses the submission itself and records nothing.
 */
export type Acknowledgement = 'received' | 'refused'

export function encodeAcknowledgement(answer: Acknowledgement): Uint8Array {
  return answer === 'received' ? RECEIVED : REFUSED
}

/** Reads an acknowledgement of ACKNOWLEDGEMENT_BYTES: PROTOCOL for anything but the two answers. */
export function decodeAcknowledgement(bytes: Uint8Array): Acknowledgement {
  const answer = Buffer.from(bytes)
  if (answer.equals(REFUSED)) return 'refused'
  if (!answer.equals(RECEIVED)) throw new ReactivationSessionError('PROTOCOL', 'unexpected acknowledgement')
  return 'received'
}
