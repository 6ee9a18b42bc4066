/**
 * Attack 5 of issue 8 (P1): tally tagging. With unbounded options a briber tells each bought
 * key to vote for its own option number (a tag), then reads the published tally: a tag with
 * a count of 1 proves that key still counts, a missing tag that it was deactivated. Options
 * are now fixed when the poll is created; the tally lists exactly those, and a vote for
 * anything else is ignored, so no tag ever reaches the published result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation, makeVote, VoteOptionError } from '../../src/core/voter.js'
import { temporaryDirectory } from '../operator/helpers.js'

describe('attack 5: tally tagging', () => {
  let operator: Operator
  let remove: () => Promise<void>
  const bought: Keypair[] = []

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    remove = temp.remove
    await Operator.initialize(`${temp.path}/operator`, { voteOptions: 3 })
    operator = await Operator.open(`${temp.path}/operator`)
    for (let i = 0; i < 3; i++) {
      bought.push(generateKeypair())
      await operator.signup(bought[i].publicKey)
    }
  })
  afterAll(async () => {
    await operator.close()
    await remove()
  })

  /** A vote for any number, signed as a modified client would: makeVote refuses to. */
  function taggedVote(keypair: Keypair, tag: bigint): Uint8Array {
    const message = signMessage(keypair, MessageKind.vote, tag)
    return encryptTo(operator.publicParameters().operatorPublicKey, encodeMessage(message), EncryptionContext.vote)
  }

  it('the published tally carries no tag, whichever bought keys still count', async () => {
    const params = operator.publicParameters()
    // The briber tags each bought key; one voter secretly deactivated hers before voting.
    await operator.submitDeactivation(makeDeactivation(bought[1], params).ciphertext)
    const tags = [1001n, 1002n, 1003n]
    for (let i = 0; i < bought.length; i++) await operator.submitVote(taggedVote(bought[i], tags[i]))
    const tally = await operator.tally()
    expect(Object.keys(tally.counts)).toEqual(['0', '1', '2'])
    expect(Object.values(tally.counts)).toEqual([0, 0, 0])
    for (const tag of tags) expect(tally.counts[tag.toString()]).toBeUndefined()
    expect(tally.countedVotes).toBe(0)
  })

  it('votes for defined options still count, and the client refuses an undefined one', async () => {
    const params = operator.publicParameters()
    expect(params.voteOptions).toBe(3)
    await operator.submitVote(makeVote(bought[0], params, 2))
    const tally = await operator.tally()
    expect(tally.counts).toEqual({ '0': 0, '1': 0, '2': 1 })
    expect(() => makeVote(bought[2], params, 3)).toThrow(VoteOptionError)
  })

  it('refuses a poll with no options or more than the tally can list', async () => {
    const temp = await temporaryDirectory()
    try {
      await expect(Operator.initialize(`${temp.path}/a`, { voteOptions: 0 })).rejects.toThrow(/vote options/)
      await expect(Operator.initialize(`${temp.path}/b`, { voteOptions: 5000 })).rejects.toThrow(/vote options/)
    } finally {
      await temp.remove()
    }
  })
})
