/**
 * Issue 9, "a deviating-voter harness": a voter that deviates in the reactivation 2PC, with
 * a real deactivation behind it, against the real operator session (in-memory channels, the
 * real prover and verifier). Each strategy corrupts one thing the voter sends once the
 * triples are done: a Beaver opening of the shared hash, an opening of the proof's points
 * (pi_a, pi_b, B1), or its share of C*. The operator must either abort the session or record
 * an attempt whose proof fails, so the new key is not activated (P3: a key is activated only
 * by a proof of the real statement, and the final verification decides). The control is the
 * same voter with no deviation: its key is activated, so every strategy is a real change.
 *
 * The KOS15 column attack on the OT extension, the other deviation of the acceptance, is in
 * ot-extension-receiver.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { makeDeactivation, type Deactivation } from '../../src/core/voter.js'
import { Operator } from '../../src/daemon/operator.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import type { Channel } from '../../src/mpc/channel.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { MessageTag } from '../../src/mpc/session.js'
import { runVoterSession } from '../../src/protocol/reactivate.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { prepareAgainst, temporaryDirectory } from '../operator/helpers.js'
import { corruptingChannel } from './helpers/corrupting-channel.js'

/** The C* share the voter seals, replaced when a strategy says so (the voter's own code seals it). */
const sealing = vi.hoisted(() => ({ replacement: undefined as Uint8Array | undefined, last: undefined as Uint8Array | undefined }))
vi.mock('../../src/core/reactivation/messages.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/reactivation/messages.js')>()
  return {
    ...original,
    sealSubmission: (...[key, submission]: Parameters<typeof original.sealSubmission>) => {
      sealing.last = submission.cShare
      return original.sealSubmission(key, { ...submission, cShare: sealing.replacement ?? submission.cShare })
    },
  }
})

afterAll(() => releaseProverThreads())

/**
 * The voter's channel with its first MPC frame tagged `tag` changed: the lowest bit of the
 * frame's last byte flipped, so a field element stays canonical (it changes by one) and a
 * point's encoding changes in its last coordinate.
 */
function corruptingFirst(channel: Channel, tag: number): Channel & { corrupted: boolean } {
  return corruptingChannel(channel, {
    tag,
    corrupt: (frame) => {
      frame[frame.length - 1] ^= 1
    },
  })
}

type Outcome = { aborted: true; code: string } | { aborted: false; activated: boolean }

describe('a voter that deviates after the triples, with a real deactivation', () => {
  let operator: Operator
  let cleanup: () => Promise<void>
  const deactivations: Array<{ deactivation: Deactivation; index: number }> = []
  /** The control session's outcome, and the C* share its voter sealed: a valid point, and another session's. */
  let control: Outcome
  let controlShare: Uint8Array | undefined

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    cleanup = temp.remove
    await Operator.initialize(`${temp.path}/operator`)
    operator = await Operator.open(`${temp.path}/operator`)
    for (let voter = 0; voter < 4; voter++) {
      const keypair = generateKeypair()
      await operator.signup(keypair.publicKey)
      const deactivation = makeDeactivation(keypair, operator.publicParameters())
      deactivations.push({ deactivation, index: (await operator.submitDeactivation(deactivation.ciphertext)).index })
    }
    control = await session(0)
    controlShare = sealing.last
  })
  afterAll(async () => {
    await operator.close()
    await cleanup()
  })

  /** One session of voter `which`, its channel passed through `deviate`; what the operator made of it. */
  async function session(which: number, deviate: (channel: Channel) => Channel = (channel) => channel): Promise<Outcome> {
    const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 60_000 })
    const { deactivation, index } = deactivations[which]
    const prepared = prepareAgainst(operator, deactivation.secret, index)
    const [served] = await Promise.allSettled([
      serveReactivation(operatorChannel, operator).finally(() => operatorChannel.close()),
      runVoterSession(deviate(voterChannel), prepared).finally(() => voterChannel.close()),
    ])
    if (served.status === 'rejected') return { aborted: true, code: String((served.reason as { code?: string }).code) }
    return { aborted: false, activated: served.value.activated }
  }

  it('the control: the same voter without a deviation gets its key activated', () => {
    expect(control).toEqual({ aborted: false, activated: true })
    expect(controlShare).toHaveLength(64)
  })

  it('a wrong Beaver opening in the shared hash: the session runs on, and the attempt is recorded, not activated', async () => {
    let channel: ReturnType<typeof corruptingFirst> | undefined
    const outcome = await session(1, (voter) => (channel = corruptingFirst(voter, MessageTag.openedShares)))
    expect(channel?.corrupted).toBe(true)
    // The opened value is off by one, so H(K, c, i) is computed wrong: the validity bit and
    // the witness are junk, and so is the proof.
    expect(outcome).toEqual({ aborted: false, activated: false })
  })

  it("a wrong opening of the proof's points: the operator aborts the session, as the point is not on the curve", async () => {
    let channel: ReturnType<typeof corruptingFirst> | undefined
    const outcome = await session(2, (voter) => (channel = corruptingFirst(voter, MessageTag.openedPoints)))
    expect(channel?.corrupted).toBe(true)
    expect(outcome).toEqual({ aborted: true, code: 'COLLABORATIVE_PROVER' })
  })

  it('a wrong C* share, a valid point (the control session’s share): the attempt is recorded, not activated', async () => {
    sealing.replacement = controlShare
    try {
      expect(await session(3)).toEqual({ aborted: false, activated: false })
    } finally {
      sealing.replacement = undefined
    }
    const attempts = await operator.reactivationRecords()
    expect(attempts.at(-1)).toMatchObject({ activated: false })
  })
})
