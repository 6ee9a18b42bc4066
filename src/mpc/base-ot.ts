/**
 * Base oblivious transfer: Chou and Orlandi, "The Simplest Protocol for Oblivious Transfer",
 * LATINCRYPT 2015 (eprint 2015/267), as random OTs batched under one sender element (the
 * paper's n OTs for n + 1 group elements), over ristretto255 (@noble/curves), with a key
 * derivation that binds the session, the run, the OT index and the transcript of that OT.
 *
 * For a batch of n OTs, OT i with receiver choice c_i:
 *     S: a random, A = a G, T = a A                          sends A (32 B, once per batch)
 *     R: b_i random, B_i = c_i A + b_i G                     sends B_0 .. B_{n-1} (32 B each)
 *     S: k_{i,0} = KDF(i, A, B_i, a B_i),  k_{i,1} = KDF(i, A, B_i, a B_i - T)
 *     R: k_{i,c_i} = KDF(i, A, B_i, b_i A)
 * KDF = SHA-256(domain | sessionId | instance | i | A | B_i | point), cut to 16 bytes.
 * B_i depends on A, so A goes first and all B_i follow in one message. Per OT the sender does
 * one variable-base multiplication, the receiver one fixed-base and one multiplication by A
 * from a table built once per batch.
 *
 * Security, stated for what is relied on (both parties semi-honest, the model of src/mpc):
 * - Semi-honest: secure in the random-oracle model (the KDF) under CDH in ristretto255.
 *   B_i is uniform whatever c_i, so the sender learns nothing of the choices. The key the
 *   receiver did not choose is the oracle at b_i A - a A (c_i = 0) or b_i A + a A (c_i = 1),
 *   and a A = a^2 G is the square-DH value of A, as hard as CDH in a prime-order group.
 * - Malicious sender: the choices stay perfectly hidden (B_i is uniform and independent of
 *   c_i for every A). Nothing more is claimed; in particular no simulation.
 * - Malicious receiver, ROM + CDH: it learns at most one key of each OT (both would give
 *   a A, as above). Hashing i and B_i (and the session id and run) makes keys of different
 *   OTs, runs and sessions independent oracle outputs even for B_j chosen from B_i; without
 *   them, B_j = B_i + A would give k_{j,1} = k_{i,0}. This is a game-based guarantee, not
 *   simulation: B_i commits to no choice, so a simulator cannot extract c_i when B_i
 *   arrives, and the outputs here are raw keys. The revised eprint corrects the proceedings
 *   version's claims (its Section 1.1); Genc, Iovino and Rial, '"The Simplest Protocol for
 *   Oblivious Transfer" revisited' (eprint 2017/370) showed the gap in its UC proof; Hauck
 *   and Loss, "Efficient and Universally Composable Protocols for Oblivious Transfer from the
 *   CDH Assumption" (eprint 2017/1011) recover UC against static corruption only under
 *   gap-DH; Canetti, Sarkar and Wang (PKC 2020) note the protocol is not known to suffice
 *   for OT extension. Hashing the transcript and index gives no extraction, and nothing here
 *   relies on those proofs. ot-extension.ts runs the KOS15 check, which is sound without
 *   extraction, but KOS15's simulation proof takes the base OT to extract choices: a
 *   simulation-based malicious claim needs one that does (e.g. Masny-Rindal endemic OT).
 */
import { ristretto255 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE } from '@noble/curves/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { randomBytes } from 'node:crypto'
import { type EncodedPoint, type Point, baseOtReceiverPoints, baseOtSenderPoint } from './messages.js'
import { type MpcSession, exchange, receive, reserveTweaks, send } from './session.js'

const BASE_OT_KEY_BYTES = 16
const KDF_DOMAIN = utf8ToBytes('maci-anon/mpc/base-ot/chou-orlandi/kdf/v1')
/** Window of the receiver's table for A: the fastest table build plus 128 multiplications, measured. */
const A_TABLE_WINDOW = 6

/** A uniform nonzero scalar: 64 random bytes reduced mod the group order. */
function randomScalar(): bigint {
  for (;;) {
    const scalar = bytesToNumberLE(randomBytes(64)) % ristretto255.Point.Fn.ORDER
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
    private readonly a: Uint8Array,
  ) {}

  key(index: number, b: Uint8Array, shared: Point): Uint8Array {
    const input = concatBytes(KDF_DOMAIN, this.sessionId, indexBytes(this.instance, index), this.a, b, shared.toBytes())
    return sha256(input).subarray(0, BASE_OT_KEY_BYTES)
  }
}

/** The sender of one batch, without I/O: A to send, then both keys of each OT from the B_i. */
class BaseOtSender {
  private readonly a = randomScalar()
  readonly point: EncodedPoint
  private readonly transcript: Transcript

  constructor(sessionId: Uint8Array, instance: number) {
    const point = ristretto255.Point.BASE.multiply(this.a)
    this.point = { point, bytes: point.toBytes() }
    this.transcript = new Transcript(sessionId, instance, this.point.bytes)
  }

  keys(received: readonly EncodedPoint[]): { zero: Uint8Array[]; one: Uint8Array[] } {
    const t = this.point.point.multiply(this.a)
    const zero: Uint8Array[] = []
    const one: Uint8Array[] = []
    received.forEach((b, i) => {
      const shared = b.point.multiply(this.a)
      zero.push(this.transcript.key(i, b.bytes, shared))
      one.push(this.transcript.key(i, b.bytes, shared.subtract(t)))
    })
    return { zero, one }
  }
}

/** The receiver of one batch, without I/O: the B_i for its choices, then the chosen keys. */
class BaseOtReceiver {
  private readonly secrets: bigint[]
  readonly points: EncodedPoint[]
  private readonly transcript: Transcript

  constructor(
    sessionId: Uint8Array,
    instance: number,
    private readonly a: EncodedPoint,
    choices: Uint8Array,
  ) {
    this.secrets = Array.from(choices, () => randomScalar())
    this.points = Array.from(choices, (choice, i) => {
      // Both candidates are computed so that the work does not depend on the choice.
      const zero = ristretto255.Point.BASE.multiply(this.secrets[i])
      const one = zero.add(a.point)
      const point = choice === 0 ? zero : one
      return { point, bytes: point.toBytes() }
    })
    this.transcript = new Transcript(sessionId, instance, a.bytes)
  }

  keys(): Uint8Array[] {
    this.a.point.precompute(A_TABLE_WINDOW, false)
    return this.secrets.map((secret, i) => this.transcript.key(i, this.points[i].bytes, this.a.point.multiply(secret)))
  }
}

/** Sender side of `count` random OTs: both 16-byte keys of each. */
export async function baseOtSend(session: MpcSession, count: number): Promise<{ zero: Uint8Array[]; one: Uint8Array[] }> {
  const sender = new BaseOtSender(session.sessionId, reserveTweaks(session, 1))
  return sender.keys(await exchange(session, baseOtSenderPoint, sender.point, undefined, baseOtReceiverPoints, count))
}

/** Receiver side: the key at each choice (one 0/1 byte per OT). */
export async function baseOtReceive(session: MpcSession, choices: Uint8Array): Promise<Uint8Array[]> {
  if (choices.some((choice) => choice !== 0 && choice !== 1)) throw new RangeError('a choice is 0 or 1')
  const instance = reserveTweaks(session, 1)
  const receiver = new BaseOtReceiver(session.sessionId, instance, await receive(session, baseOtSenderPoint, undefined), choices)
  // B goes out before the keys are derived, so the sender's multiplications overlap ours.
  await send(session, baseOtReceiverPoints, receiver.points, choices.length)
  return receiver.keys()
}
