/**
 * The operator core's signup, deactivation and vote paths without any proof: what each
 * refuses and why, and that what each records is read back after a restart (issue 14,
 * surviving mutants of src/daemon/operator.ts). Each case has its own operator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext, MESSAGE_CIPHERTEXT_BYTES } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { freshOperator } from './helpers.js'

describe('operator message rules', () => {
  let operator: Operator
  let directory: string
  let cleanup: () => Promise<void>
  let voter: Keypair

  beforeEach(async () => {
    ;({ operator, directory, cleanup } = await freshOperator())
    voter = generateKeypair()
    await operator.signup(voter.publicKey)
  })
  afterEach(() => cleanup())

  async function reopen(): Promise<void> {
    await operator.close()
    operator = await Operator.open(directory)
  }

  it('refuses a second signup of a key, and keeps the first across a restart', async () => {
    await expect(operator.signup(voter.publicKey)).rejects.toThrow(/public key is already signed up/)
    await reopen()
    expect(operator.isActive(voter.publicKey)).toBe(true)
    expect(operator.signups(0, 5)).toEqual([voter.publicKey])
    await expect(operator.signup(voter.publicKey)).rejects.toThrow(/already signed up/)
  })

  it('keeps the deactivation log and the votes across a restart', async () => {
    const params = operator.publicParameters()
    const deactivation = makeDeactivation(generateKeypair(), params)
    const other = generateKeypair()
    await operator.signup(other.publicKey)
    const sent = makeDeactivation(other, params)
    await operator.submitDeactivation(sent.ciphertext)
    await operator.submitVote(makeVote(voter, params, 2))
    await reopen()
    expect(operator.deactivationLog(0, 5).map((entry) => Buffer.from(entry))).toEqual([Buffer.from(sent.ciphertext)])
    expect(operator.status()).toMatchObject({ deactivations: 1, votes: 1 })
    expect(await operator.tally()).toMatchObject({ counts: { '0': 0, '1': 0, '2': 1, '3': 0 }, countedVotes: 1 })
    await expect(operator.submitDeactivation(deactivation.ciphertext)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' })
  })

  it('says why it refuses a message openly', async () => {
    const params = operator.publicParameters()
    await expect(operator.submitVote(new Uint8Array(10))).rejects.toMatchObject({
      code: 'BAD_LENGTH',
      message: expect.stringMatching(new RegExp(`a message ciphertext is ${MESSAGE_CIPHERTEXT_BYTES} bytes, got 10`)),
    })
    await expect(operator.submitVote(new Uint8Array(MESSAGE_CIPHERTEXT_BYTES))).rejects.toMatchObject({
      code: 'UNDECRYPTABLE',
      message: expect.stringMatching(/does not open under the operator key/),
    })
    await expect(operator.submitVote(makeVote(generateKeypair(), params, 0))).rejects.toMatchObject({
      code: 'UNKNOWN_KEY',
      message: expect.stringMatching(/neither signed up nor the new key/),
    })
  })

  it('ignores a vote for the first option past the poll, which still supersedes', async () => {
    const params = operator.publicParameters()
    await operator.submitVote(makeVote(voter, params, 1))
    const beyond = signMessage(voter, MessageKind.vote, BigInt(params.voteOptions))
    await operator.submitVote(encryptTo(params.operatorPublicKey, encodeMessage(beyond), EncryptionContext.vote))
    expect(await operator.tally()).toEqual({ counts: { '0': 0, '1': 0, '2': 0, '3': 0 }, countedVotes: 0, ignoredVotes: 2 })
  })
})
