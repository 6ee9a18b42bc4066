/**
 * Forged signatures by, or rather for, active keys (issue 14). A deactivation whose signature
 * does not verify must get a random leaf and leave the key active; a forged vote must be
 * logged like any other and never counted. Each case has its own operator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { commitmentOf, realLeafOf } from '../../src/crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage, type SignedMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { randomField } from '../crypto/helpers.js'
import { freshOperator } from './helpers.js'

describe('forged deactivation and vote signatures for active keys', () => {
  let operator: Operator
  let directory: string
  let cleanup: () => Promise<void>
  let victim: Keypair
  let forger: Keypair

  beforeEach(async () => {
    ;({ operator, directory, cleanup } = await freshOperator())
    victim = generateKeypair()
    forger = generateKeypair()
    await operator.signup(victim.publicKey)
    await operator.signup(forger.publicKey)
  })
  afterEach(() => cleanup())

  const seal = (message: SignedMessage, context: string) => encryptTo(operator.publicParameters().operatorPublicKey, encodeMessage(message), context)
  /** A message claiming the victim's key, signed by the forger. */
  const forgedFor = (kind: MessageKind, payload: bigint): SignedMessage => ({ ...signMessage(forger, kind, payload), publicKey: victim.publicKey })

  async function reopen(): Promise<void> {
    await operator.close()
    operator = await Operator.open(directory)
  }

  it('a forged deactivation gets a random leaf and leaves the key active, also after a restart', async () => {
    const commitment = commitmentOf(randomField())
    const receipt = await operator.submitDeactivation(seal(forgedFor(MessageKind.deactivate, commitment), EncryptionContext.deactivation))
    expect(receipt.leaf).not.toBe(realLeafOf(operator.leafKeySecrets().K, commitment, receipt.index))
    expect(operator.isActive(victim.publicKey)).toBe(true)
    expect(operator.status().deactivations).toBe(1)
    await reopen()
    expect(operator.isActive(victim.publicKey)).toBe(true)
    // The key still deactivates for real afterwards: nothing of the forgery stuck to it.
    const real = makeDeactivation(victim, operator.publicParameters())
    const second = await operator.submitDeactivation(real.ciphertext)
    expect(second.leaf).toBe(realLeafOf(operator.leafKeySecrets().K, real.commitment, second.index))
    expect(operator.isActive(victim.publicKey)).toBe(false)
    await reopen()
    expect(operator.isActive(victim.publicKey)).toBe(false)
  })

  it("a vote signed by the key itself but sent as a deactivation gets a random leaf and leaves the key active", async () => {
    const payload = commitmentOf(randomField())
    const receipt = await operator.submitDeactivation(seal(signMessage(victim, MessageKind.vote, payload), EncryptionContext.deactivation))
    expect(receipt.leaf).not.toBe(realLeafOf(operator.leafKeySecrets().K, payload, receipt.index))
    expect(operator.isActive(victim.publicKey)).toBe(true)
  })

  it('a valid deactivation of a key that is no longer active gets a random leaf', async () => {
    await operator.submitDeactivation(makeDeactivation(victim, operator.publicParameters()).ciphertext)
    const again = makeDeactivation(victim, operator.publicParameters())
    const receipt = await operator.submitDeactivation(again.ciphertext)
    expect(receipt.leaf).not.toBe(realLeafOf(operator.leafKeySecrets().K, again.commitment, receipt.index))
    expect(operator.isActive(victim.publicKey)).toBe(false)
  })

  it('every receipt is the leaf and root the operator publishes, with a root signature for the new size', async () => {
    const forged = await operator.submitDeactivation(seal(forgedFor(MessageKind.deactivate, 1n), EncryptionContext.deactivation))
    const valid = await operator.submitDeactivation(makeDeactivation(forger, operator.publicParameters()).ciphertext)
    expect([forged.index, valid.index]).toEqual([0, 1])
    expect(operator.leaves(0, 2)).toEqual([forged.leaf, valid.leaf])
    expect(operator.rootHistory()).toEqual([forged.root, valid.root])
    expect(operator.signedRoots(0, 2).map((signed) => [signed.size, signed.root])).toEqual([
      [1, forged.root],
      [2, valid.root],
    ])
    expect(operator.status().root).toBe(valid.root)
  })

  it('a forged vote is logged but never counted, and does not supersede the key\'s own vote', async () => {
    const params = operator.publicParameters()
    await operator.submitVote(makeVote(victim, params, 1))
    const logged = await operator.submitVote(seal(forgedFor(MessageKind.vote, 2n), EncryptionContext.vote))
    expect(logged).toEqual({ index: 1 })
    const tally = await operator.tally()
    expect(tally.counts).toEqual({ '0': 0, '1': 1, '2': 0, '3': 0 })
    expect(tally).toMatchObject({ countedVotes: 1, ignoredVotes: 1 })
  })

  it('a forged vote alone counts nothing; a deactivation sent as a vote counts nothing', async () => {
    await operator.submitVote(seal(forgedFor(MessageKind.vote, 0n), EncryptionContext.vote))
    await operator.submitVote(seal(signMessage(forger, MessageKind.deactivate, 3n), EncryptionContext.vote))
    const tally = await operator.tally()
    expect(tally.counts).toEqual({ '0': 0, '1': 0, '2': 0, '3': 0 })
    expect(tally).toMatchObject({ countedVotes: 0, ignoredVotes: 2 })
  })

  it('counts the latest vote of each active key, the last defined option included, and none of a deactivated key', async () => {
    const params = operator.publicParameters()
    await operator.submitVote(makeVote(victim, params, 0))
    await operator.submitVote(makeVote(forger, params, 1))
    await operator.submitVote(makeVote(victim, params, 3))
    expect(await operator.tally()).toEqual({ counts: { '0': 0, '1': 1, '2': 0, '3': 1 }, countedVotes: 2, ignoredVotes: 1 })
    await operator.submitDeactivation(makeDeactivation(forger, params).ciphertext)
    expect(await operator.tally()).toEqual({ counts: { '0': 0, '1': 0, '2': 0, '3': 1 }, countedVotes: 1, ignoredVotes: 2 })
  })

  it('a vote in the deactivation context, or a deactivation in the vote context, is refused as undecryptable', async () => {
    const params = operator.publicParameters()
    await expect(operator.submitVote(makeDeactivation(victim, params).ciphertext)).rejects.toMatchObject({ code: 'UNDECRYPTABLE' })
    await expect(operator.submitDeactivation(makeVote(victim, params, 1))).rejects.toMatchObject({ code: 'UNDECRYPTABLE' })
    await expect(operator.submitDeactivation(new Uint8Array(316))).rejects.toMatchObject({ code: 'BAD_LENGTH' })
    await expect(operator.submitVote(new Uint8Array(318))).rejects.toMatchObject({ code: 'BAD_LENGTH' })
    expect(operator.status()).toMatchObject({ deactivations: 0, votes: 0 })
    expect(operator.isActive(victim.publicKey)).toBe(true)
  })
})
