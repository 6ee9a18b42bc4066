/**
 * The planted-leaf attack by a switch of the published KC: the voter now puts the published
 * KC into the proof itself, so an operator that planted leaves under a second key K_t, then
 * publishes KC_t = H(K_t, kappa) to every reactivation and runs every session with K_t, gets
 * a valid proof from exactly the voters whose leaves it planted. The keystore pins the KC a
 * deactivation was made under, and the voter's session refuses another before it sends
 * anything (KEY_COMMITMENT_CHANGED).
 *
 * Real operator core and LevelDB, the real session over in-memory channels. The operator's
 * own key plays K_t: the real leaves of its tree are the planted ones, and the random leaf
 * stands for every voter whose leaf is under the published key, for which a session under
 * K_t is junk alike. The voters deactivated while it published another KC (`published`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { makeDeactivation, type Deactivation } from '../../src/core/voter.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import { prepareVoterReactivation } from '../../src/core/reactivation/voter-session.js'
import { Operator } from '../../src/daemon/operator.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { runVoterSession } from '../../src/protocol/reactivate.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { temporaryDirectory } from '../operator/helpers.js'

afterAll(() => releaseProverThreads())

describe('a KC switched between deactivation and reactivation', () => {
  let operator: Operator
  let cleanup: () => Promise<void>
  let published: bigint
  const voters: Array<{ deactivation: Deactivation; index: number; real: boolean }> = []

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    cleanup = temp.remove
    await Operator.initialize(`${temp.path}/operator`)
    operator = await Operator.open(`${temp.path}/operator`)
    published = randomFieldElement()
    const keys = [generateKeypair(), generateKeypair(), generateKeypair()]
    for (const key of keys) await operator.signup(key.publicKey)
    const params = operator.publicParameters()
    const deactivate = async (deactivation: Deactivation, real: boolean) =>
      voters.push({ deactivation, index: (await operator.submitDeactivation(deactivation.ciphertext)).index, real })
    // Two leaves under K_t (planted), twice; and one random leaf: a key deactivated a second time.
    await deactivate(makeDeactivation(keys[0], params), true)
    await deactivate(makeDeactivation(keys[1], params), true)
    await deactivate(makeDeactivation(keys[2], params), false)
    await deactivate(makeDeactivation(keys[2], params), false)
    voters.splice(2, 1)
  })
  afterAll(async () => {
    await operator.close()
    await cleanup()
  })

  /** One session, the operator publishing KC_t (its own); what the operator sees and what the voter says. */
  async function session(voter: (typeof voters)[number], pinned: bigint | undefined) {
    const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 60_000 })
    let framesReceived = 0
    const counting = { ...operatorChannel, stats: operatorChannel.stats, close: () => operatorChannel.close(), send: (m: Uint8Array) => operatorChannel.send(m), receive: async (o?: { timeoutMs?: number; maxBytes?: number }) => {
      const frame = await operatorChannel.receive(o)
      framesReceived++
      return frame
    } }
    const prepared = prepareVoterReactivation({
      secret: voter.deactivation.secret,
      leafIndex: voter.index,
      leaves: operator.leaves(0, operator.status().deactivations),
      newPublicKey: generateKeypair().publicKey,
      params: operator.publicParameters(),
      deactivatedUnder: pinned,
    })
    const [served, answered] = await Promise.allSettled([
      serveReactivation(counting, operator).finally(() => operatorChannel.close()),
      runVoterSession(voterChannel, prepared).finally(() => voterChannel.close()),
    ])
    const verifies = served.status === 'fulfilled' ? await verifyProof('leaf_opening', (await operator.reactivationRecord(served.value.attempt)).leafOpening) : undefined
    return { framesReceived, verifies, voterError: answered.status === 'rejected' ? (answered.reason as { code?: string }).code : undefined }
  }

  it('unpinned, the switch names the voters whose leaves were planted: the attack the pin closes', async () => {
    const outcomes = []
    for (const voter of voters) outcomes.push((await session(voter, undefined)).verifies)
    expect(outcomes).toEqual(voters.map((voter) => voter.real))
  })

  // Pinned to the KC still published, sessions run as ever: every session test passes its KC.
  it('pinned to the KC of their deactivation, every voter refuses before sending a byte', async () => {
    for (const voter of voters) {
      const seen = await session(voter, published)
      expect(seen).toEqual({ framesReceived: 0, verifies: undefined, voterError: 'KEY_COMMITMENT_CHANGED' })
    }
  })
})
