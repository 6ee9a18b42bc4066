/**
 * Random OTs from the IKNP correlated OTs by hashing, H(q_j) and H(q_j ^ delta) for the
 * sender and H(t_j) for the receiver with the session's tweakable hash (Guo, Katz, Wang, Yu
 * 2020). The product hashes correlated OTs into field pads itself (ole.ts); the tests use
 * these block-valued random OTs to check the OT extension end to end.
 */
import { correlatedOtReceive, correlatedOtSend } from '../../../src/mpc/ot-extension.js'
import { type MpcSession, reserveTweaks, sessionHash } from '../../../src/mpc/session.js'
import { writeTweak } from '../../../src/mpc/tweakable-hash.js'
import { BLOCK_WORDS } from '../../../src/mpc/words.js'

function randomOtTweaks(session: MpcSession, count: number): Uint32Array {
  const first = reserveTweaks(session, count)
  const tweaks = new Uint32Array(BLOCK_WORDS * count)
  for (let j = 0; j < count; j++) writeTweak(tweaks, j, first + j, 0, 0)
  return tweaks
}

/** Sender side of `count` random OTs: both 16-byte messages of each, H(q_j) and H(q_j ^ delta). */
export async function randomOtSend(session: MpcSession, count: number): Promise<{ zero: Uint32Array; one: Uint32Array }> {
  const { delta, messages } = await correlatedOtSend(session, count)
  const flipped = new Uint32Array(messages.length)
  for (let w = 0; w < messages.length; w++) flipped[w] = messages[w] ^ delta[w & 3]
  const tweaks = randomOtTweaks(session, count)
  const hash = sessionHash(session)
  return { zero: hash.hash(messages, tweaks), one: hash.hash(flipped, tweaks) }
}

/** Receiver side: the message at each choice, 4 words per OT. */
export async function randomOtReceive(session: MpcSession, choices: Uint8Array): Promise<Uint32Array> {
  const rows = await correlatedOtReceive(session, choices)
  return sessionHash(session).hash(rows, randomOtTweaks(session, choices.length))
}
