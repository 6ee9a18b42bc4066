/**
 * One run of the 2PC between two parties: the channel, this party's id, and a 32-byte
 * session id that every protocol binds into its hashes (the base-OT key derivation takes it
 * as input; the fixed AES key of the tweakable hash is derived from it), so nothing computed
 * in one session is valid in another.
 *
 * Messages are framed here. Each frame starts with a one-byte tag naming the protocol
 * message it carries, so a peer that is at another step fails with UNEXPECTED instead of
 * being misread. Long messages are cut into frames of at most MAX_FRAME_BYTES (the libp2p
 * channel's default limit). The receiver knows every frame's exact length in advance, asks
 * the channel for at most that many bytes with the session's timeout, and refuses any other
 * length, so a peer that closes, stalls, truncates or overfills always ends in a typed
 * ChannelError, never a hang.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { type Channel, ChannelError } from './channel.js'
import { ParametersError } from './errors.js'
import { TweakableHash } from './tweakable-hash.js'

/**
 * The two parties of every session, by index: the one name src/mpc has for them (in the
 * reactivation 2PC the operator is party 0, the voter party 1). Where a protocol is
 * asymmetric without saying who does what, party 0 does it (adds public constants, is the
 * OLE's OT sender by default). Garbler and evaluator are roles in one garbled circuit, and
 * OT sender and receiver roles in one OT, not parties.
 */
export type Party = 0 | 1
/** The parties of the reactivation 2PC by name. */
export const Party = { operator: 0, voter: 1 } as const

export interface MpcSession {
  channel: Channel
  party: Party
  sessionId: Uint8Array
  /** Deadline for every receive; the channel's default when absent. */
  timeoutMs?: number
}

const SESSION_ID_BYTES = 32
/** Largest frame, tag included: the libp2p stream channel's default message limit. */
const MAX_FRAME_BYTES = 1 << 20
const FRAME_PAYLOAD_BYTES = MAX_FRAME_BYTES - 1

/** What a frame carries; one value per protocol message. */
export const MessageTag = {
  parameters: 1,
  baseOtReceiver: 2,
  baseOtSender: 3,
  otExtensionColumns: 4,
  oleCorrections: 5,
  openedShares: 6,
  garbledCircuit: 7,
  outputBits: 8,
  openedPoints: 9,
  otExtensionChallenge: 10,
  otExtensionCheck: 11,
  shareRepresentation: 12,
} as const
export type MessageTag = (typeof MessageTag)[keyof typeof MessageTag]

/**
 * One protocol message: its tag, its exact length given what both parties know in advance
 * (`shape`: a count, a circuit, ...), and its one encoding. The receiver asks the channel
 * for exactly `bytes(shape)` and refuses any other length (receiveFrame), then `decode`
 * refuses bytes that are no valid message, with the protocol's error (errors.ts). The
 * messages of the protocols are defined in messages.ts, the parameter digest below.
 */
export interface Message<T, Shape> {
  readonly tag: MessageTag
  bytes(shape: Shape): number
  encode(value: T): Uint8Array
  decode(payload: Uint8Array, shape: Shape): T
}

interface SessionState {
  hash: TweakableHash
  nextTweak: number
}

const states = new WeakMap<MpcSession, SessionState>()

function assertValidSession(session: MpcSession): void {
  if (session.sessionId.length !== SESSION_ID_BYTES) throw new RangeError(`a session id is ${SESSION_ID_BYTES} bytes`)
  if (session.party !== 0 && session.party !== 1) throw new RangeError('party is 0 or 1')
}

function stateOf(session: MpcSession): SessionState {
  let state = states.get(session)
  if (state === undefined) {
    assertValidSession(session)
    const key = sha256(concatBytes(utf8ToBytes('maci-anon/mpc/fixed-key-aes/v1'), session.sessionId))
    state = { hash: new TweakableHash(key.subarray(0, 16)), nextTweak: 0 }
    states.set(session, state)
  }
  return state
}

/** The session's fixed-key tweakable hash (key derived from the session id). */
export function sessionHash(session: MpcSession): TweakableHash {
  return stateOf(session).hash
}

/**
 * Reserves `count` consecutive tweak indices and returns the first. Both parties run the
 * same protocol steps in the same order, so their counters agree and no tweak is ever used
 * for two purposes within a session (the uniqueness the tweakable hash's security needs).
 */
export function reserveTweaks(session: MpcSession, count: number): number {
  const state = stateOf(session)
  const first = state.nextTweak
  state.nextTweak += count
  if (state.nextTweak > Number.MAX_SAFE_INTEGER) throw new RangeError('tweak counter exhausted')
  return first
}

/**
 * Sends `payload` as one message (one or more frames) tagged `tag`. An empty message is not
 * sent: the receiver knows the length in advance and does not wait for it.
 */
export async function sendMessage(session: MpcSession, tag: MessageTag, payload: Uint8Array): Promise<void> {
  for (let offset = 0; offset < payload.length; offset += FRAME_PAYLOAD_BYTES) {
    const chunk = payload.subarray(offset, offset + FRAME_PAYLOAD_BYTES)
    const frame = new Uint8Array(chunk.length + 1)
    frame[0] = tag
    frame.set(chunk, 1)
    await session.channel.send(frame)
  }
}

/** Receives one message of exactly `length` payload bytes tagged `tag` (nothing when length is 0). */
export async function receiveMessage(session: MpcSession, tag: MessageTag, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0)
  if (length <= FRAME_PAYLOAD_BYTES) return receiveFrame(session, tag, length)
  const out = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += FRAME_PAYLOAD_BYTES) {
    out.set(await receiveFrame(session, tag, Math.min(FRAME_PAYLOAD_BYTES, length - offset)), offset)
  }
  return out
}

async function receiveFrame(session: MpcSession, tag: MessageTag, payloadLength: number): Promise<Uint8Array> {
  const frame = await session.channel.receive({ timeoutMs: session.timeoutMs, maxBytes: payloadLength + 1 })
  if (frame.length !== payloadLength + 1) {
    throw new ChannelError('UNEXPECTED', `expected a frame of ${payloadLength + 1} bytes, got ${frame.length}`)
  }
  if (frame[0] !== tag) throw new ChannelError('UNEXPECTED', `expected message ${tag}, got ${frame[0]}`)
  return frame.subarray(1)
}

/**
 * Sends `payload` and receives the peer's message of `length` bytes (tagged `peerTag`)
 * concurrently, so two parties exchanging large messages never wait on each other's send
 * buffers.
 */
export async function exchangeMessages(
  session: MpcSession,
  tag: MessageTag,
  payload: Uint8Array,
  length: number,
  peerTag: MessageTag = tag,
): Promise<Uint8Array> {
  const [, received] = await Promise.all([sendMessage(session, tag, payload), receiveMessage(session, peerTag, length)])
  return received
}

/** Sends `value` as `message`; a local encoding of the wrong length is a bug (RangeError). */
export async function send<T, Shape>(session: MpcSession, message: Message<T, Shape>, value: T, shape: Shape): Promise<void> {
  const payload = message.encode(value)
  const expected = message.bytes(shape)
  if (payload.length !== expected) throw new RangeError(`message ${message.tag} encodes to ${payload.length} bytes, not ${expected}`)
  await sendMessage(session, message.tag, payload)
}

/** Receives and decodes the peer's `message` of the given shape. */
export async function receive<T, Shape>(session: MpcSession, message: Message<T, Shape>, shape: Shape): Promise<T> {
  return message.decode(await receiveMessage(session, message.tag, message.bytes(shape)), shape)
}

/** Sends one message and receives the peer's concurrently, as exchangeMessages. */
export async function exchange<T, Shape, U, PeerShape>(
  session: MpcSession,
  outgoing: Message<T, Shape>,
  value: T,
  shape: Shape,
  incoming: Message<U, PeerShape>,
  peerShape: PeerShape,
): Promise<U> {
  const [, received] = await Promise.all([send(session, outgoing, value, shape), receive(session, incoming, peerShape)])
  return received
}

const PARAMETERS_DIGEST_BYTES = 32

/** The parameter agreement's one message: SHA-256 of (session id, parameters). */
export const parametersDigest: Message<Uint8Array, void> = {
  tag: MessageTag.parameters,
  bytes: () => PARAMETERS_DIGEST_BYTES,
  encode: (digest) => digest,
  decode: (payload) => payload,
}

/**
 * Both parties send a hash of (session id, parameters) and compare. Fails with
 * ParametersError when the peer's parameters differ, before any secret is used.
 */
export async function agreeParameters(session: MpcSession, parameters: Uint8Array): Promise<void> {
  assertValidSession(session)
  const digest = sha256(concatBytes(utf8ToBytes('maci-anon/mpc/parameters/v1'), session.sessionId, parameters))
  const peer = await exchange(session, parametersDigest, digest, undefined, parametersDigest, undefined)
  if (!digest.every((byte, i) => byte === peer[i])) throw new ParametersError('the peer runs the session with different parameters')
}
