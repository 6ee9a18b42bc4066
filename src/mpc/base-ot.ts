/**
 * Base oblivious transfer: Masny and Rindal, "Endemic Oblivious Transfer", ACM CCS 2019
 * (eprint 2019/706), the OT from a key agreement whose messages are uniform group elements,
 * instantiated with Diffie-Hellman over ristretto255 (@noble/curves) and the RFC 9380
 * hash_to_ristretto255 (expand_message_xmd with SHA-512) as the random oracle onto the group.
 *
 * Receiver with choice c, for OT i:
 *     sk_i random, pk_i = sk_i * G, r_{1-c} a uniformly random point,
 *     r_c = pk_i - H_i(r_{1-c});                                  sends (r_0, r_1)
 * Sender:
 *     a random, A = a * G;                                        sends A (one per batch)
 *     k_{i,b} = KDF(i, b, A, r_0, r_1, a * (r_b + H_i(r_{1-b})))
 * Receiver:
 *     k_{i,c} = KDF(i, c, A, r_0, r_1, sk_i * A)
 * Both messages are independent, so they cross in one round.
 *
 * Security: UC-secure against a malicious (static) sender or receiver in the random-oracle
 * model under CDH in ristretto255, as an endemic OT: a corrupt party may bias its own output
 * keys but learns nothing else, which is exactly what OT extension needs from its seeds, so
 * this stays sound when IKNP is upgraded to KOS15 or SoftSpoken. H and the KDF take the
 * session id, a per-run instance number and the OT index i (domain separation); the KDF
 * hashes the whole transcript of OT i, so keys of different OTs, runs or sessions are
 * unrelated even though A is shared by the batch. Group elements are 32 bytes; keys 16.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { randomBytes } from 'node:crypto'
import { ChannelError } from './channel.js'
import { type MpcSession, MessageTag, exchangeMessages, reserveTweaks } from './session.js'

const Point = ristretto255.Point
type Point = InstanceType<typeof Point>

const BASE_OT_KEY_BYTES = 16
const POINT_BYTES = 32
const HASH_TO_GROUP_DST = 'maci-anon/mpc/base-ot/hash-to-group/v1'
const KDF_DOMAIN = utf8ToBytes('maci-anon/mpc/base-ot/kdf/v1')

/** A uniform nonzero scalar: 64 random bytes reduced mod the group order. */
function randomScalar(): bigint {
  for (;;) {
    const scalar = bytesToNumberLE(randomBytes(64)) % Point.Fn.ORDER
    if (scalar !== 0n) return scalar
  }
}

function indexBytes(instance: number, index: number): Uint8Array {
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(instance), true)
  view.setUint32(8, index, true)
  return out
}

class Transcript {
  constructor(
    private readonly sessionId: Uint8Array,
    private readonly instance: number,
  ) {}

  hashToGroup(index: number, point: Uint8Array): Point {
    const message = concatBytes(this.sessionId, indexBytes(this.instance, index), point)
    return ristretto255_hasher.hashToCurve(message, { DST: HASH_TO_GROUP_DST })
  }

  key(index: number, choice: number, a: Uint8Array, r0: Uint8Array, r1: Uint8Array, shared: Point): Uint8Array {
    const input = concatBytes(
      KDF_DOMAIN,
      this.sessionId,
      indexBytes(this.instance, index),
      new Uint8Array([choice]),
      a,
      r0,
      r1,
      shared.toBytes(),
    )
    return sha256(input).subarray(0, BASE_OT_KEY_BYTES)
  }
}

function decodePoint(bytes: Uint8Array, what: string): Point {
  try {
    return Point.fromBytes(bytes)
  } catch {
    throw new ChannelError('MALFORMED', `${what} is not a ristretto255 encoding`)
  }
}

/** Sender side of `count` random OTs: both 16-byte keys of each. */
export async function baseOtSend(session: MpcSession, count: number): Promise<{ zero: Uint8Array[]; one: Uint8Array[] }> {
  const transcript = new Transcript(session.sessionId, reserveTweaks(session, 1))
  const a = randomScalar()
  const aBytes = Point.BASE.multiply(a).toBytes()
  const received = await exchangeMessages(
    session,
    MessageTag.baseOtSender,
    aBytes,
    2 * POINT_BYTES * count,
    MessageTag.baseOtReceiver,
  )
  const zero: Uint8Array[] = []
  const one: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const r0 = received.subarray(2 * POINT_BYTES * i, 2 * POINT_BYTES * i + POINT_BYTES)
    const r1 = received.subarray(2 * POINT_BYTES * i + POINT_BYTES, 2 * POINT_BYTES * (i + 1))
    const pk0 = decodePoint(r0, 'r0').add(transcript.hashToGroup(i, r1))
    const pk1 = decodePoint(r1, 'r1').add(transcript.hashToGroup(i, r0))
    zero.push(transcript.key(i, 0, aBytes, r0, r1, pk0.multiply(a)))
    one.push(transcript.key(i, 1, aBytes, r0, r1, pk1.multiply(a)))
  }
  return { zero, one }
}

/** Receiver side: the key at each choice (one 0/1 byte per OT). */
export async function baseOtReceive(session: MpcSession, choices: Uint8Array): Promise<Uint8Array[]> {
  const transcript = new Transcript(session.sessionId, reserveTweaks(session, 1))
  const secrets: bigint[] = []
  const message = new Uint8Array(2 * POINT_BYTES * choices.length)
  choices.forEach((choice, i) => {
    if (choice !== 0 && choice !== 1) throw new RangeError('a choice is 0 or 1')
    const secret = randomScalar()
    secrets.push(secret)
    const other = ristretto255_hasher.hashToCurve(randomBytes(32)).toBytes()
    const chosen = Point.BASE.multiply(secret).subtract(transcript.hashToGroup(i, other)).toBytes()
    message.set(choice === 0 ? chosen : other, 2 * POINT_BYTES * i)
    message.set(choice === 0 ? other : chosen, 2 * POINT_BYTES * i + POINT_BYTES)
  })
  const aBytes = await exchangeMessages(
    session,
    MessageTag.baseOtReceiver,
    message,
    POINT_BYTES,
    MessageTag.baseOtSender,
  )
  const a = decodePoint(aBytes, 'A')
  if (a.is0()) throw new ChannelError('MALFORMED', 'A is the identity')
  a.precompute(8, false)
  return Array.from(choices, (choice, i) => {
    const r0 = message.subarray(2 * POINT_BYTES * i, 2 * POINT_BYTES * i + POINT_BYTES)
    const r1 = message.subarray(2 * POINT_BYTES * i + POINT_BYTES, 2 * POINT_BYTES * (i + 1))
    return transcript.key(i, choice, aBytes, r0, r1, a.multiply(secrets[i]))
  })
}
