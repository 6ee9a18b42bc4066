import { afterAll, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { poseidon, realLeafOf } from '../../src/crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { freshOperator, reactivateWithReferenceProver } from './helpers.js'

afterAll(() => releaseProverThreads())

/**
 * Each test starts from an operator of its own, with the keys it needs signed up (and
 * deactivated where it says so): none reads state another test left. The refusal of a
 * membership proof against a root never published is tested in acceptance-matrix.test.ts,
 * with a proof that verifies, so that only the root check can refuse it.
 */
describe('operator core, in one process', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup()
  })

  /** A fresh operator with `keys` signed up in this order. */
  async function operatorWith(...keys: Keypair[]): Promise<{ operator: Operator; directory: string }> {
    const fresh = await freshOperator()
    cleanups.push(fresh.cleanup)
    for (const key of keys) await fresh.operator.signup(key.publicKey)
    return fresh
  }

  /** Deactivates `key` with a valid deactivation; its receipt and the deactivation. */
  async function deactivate(operator: Operator, key: Keypair) {
    const deactivation = makeDeactivation(key, operator.publicParameters())
    return { deactivation, receipt: await operator.submitDeactivation(deactivation.ciphertext) }
  }

  it('signs up keys in order and refuses a duplicate', async () => {
    const [alice, bob, carol] = [generateKeypair(), generateKeypair(), generateKeypair()]
    const { operator } = await operatorWith()
    expect(await operator.signup(alice.publicKey)).toEqual({ stateIndex: 0 })
    expect(await operator.signup(bob.publicKey)).toEqual({ stateIndex: 1 })
    expect(await operator.signup(carol.publicKey)).toEqual({ stateIndex: 2 })
    await expect(operator.signup(alice.publicKey)).rejects.toThrow(/already signed up/)
    expect(operator.isActive(alice.publicKey)).toBe(true)
    expect(operator.signups(0, 3)).toEqual([alice.publicKey, bob.publicKey, carol.publicKey])
  })

  it('valid deactivation then reactivation: the new key is active and the old one is not', async () => {
    const alice = generateKeypair()
    const { operator } = await operatorWith(alice)
    expect(operator.isActive(alice.publicKey)).toBe(true)
    const { deactivation, receipt } = await deactivate(operator, alice)
    expect(receipt.leaf).toBe(realLeafOf(operator.leafKeySecrets().K, deactivation.commitment, receipt.index))
    expect(receipt.root).toBe(operator.status().root)
    expect(operator.isActive(alice.publicKey)).toBe(false)

    const { submission, newKeypair } = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect(await verifyProof('leaf_opening', submission.leafOpening)).toBe(true)
    const outcome = await operator.acceptReactivation(submission)
    expect(outcome.activated).toBe(true)
    expect(operator.isActive(newKeypair.publicKey)).toBe(true)
    expect(operator.isActive(alice.publicKey)).toBe(false)
  })

  it('invalid deactivations get a receipt of the same shape and their reactivation activates nothing', async () => {
    const [alice, bob, carol] = [generateKeypair(), generateKeypair(), generateKeypair()]
    const { operator } = await operatorWith(alice, bob, carol)
    // Alice's key is deactivated first, so a second deactivation of it is one of a key not active.
    await deactivate(operator, alice)
    const params = operator.publicParameters()
    // Bad signature: Bob's key, signed by Carol.
    const forged = signMessage(carol, MessageKind.deactivate, poseidon([1n]))
    const forgedCiphertext = encryptTo(
      params.operatorPublicKey,
      encodeMessage({ ...forged, publicKey: bob.publicKey }),
      EncryptionContext.deactivation,
    )
    const valid = makeDeactivation(bob, params)
    const inactive = makeDeactivation(alice, params)

    const forgedReceipt = await operator.submitDeactivation(forgedCiphertext)
    expect(operator.isActive(bob.publicKey)).toBe(true)
    const inactiveReceipt = await operator.submitDeactivation(inactive.ciphertext)
    const validReceipt = await operator.submitDeactivation(valid.ciphertext)
    // Same keys, same types, every field element a full-width field element.
    const shape = (receipt: object) =>
      JSON.stringify(receipt, (_key, value) => (typeof value === 'bigint' ? 'field' : typeof value === 'number' ? 'index' : value))
    expect(shape(forgedReceipt)).toBe(shape(validReceipt))
    expect(shape(inactiveReceipt)).toBe(shape(validReceipt))
    expect(forgedCiphertext.length).toBe(valid.ciphertext.length)
    expect(operator.isActive(bob.publicKey)).toBe(false)

    const { K } = operator.leafKeySecrets()
    expect(inactiveReceipt.leaf).not.toBe(realLeafOf(K, inactive.commitment, inactiveReceipt.index))

    const attempt = await reactivateWithReferenceProver(operator, inactive, inactiveReceipt.index)
    expect(await verifyProof('membership', attempt.submission.membership)).toBe(true)
    expect(await verifyProof('leaf_opening', attempt.submission.leafOpening)).toBe(false)
    const outcome = await operator.acceptReactivation(attempt.submission)
    expect(outcome.activated).toBe(false)
    expect(operator.isActive(attempt.newKeypair.publicKey)).toBe(false)
    // The attempt is recorded all the same, so the public record does not reveal the outcome.
    expect(operator.isNullifierUsed(attempt.reactivation.nullifier)).toBe(true)
  })

  it('refuses a reused nullifier and changes nothing', async () => {
    const carol = generateKeypair()
    const { operator } = await operatorWith(carol)
    const { deactivation, receipt } = await deactivate(operator, carol)
    const first = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect((await operator.acceptReactivation(first.submission)).activated).toBe(true)

    const before = operator.status()
    const second = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    await expect(operator.acceptReactivation(second.submission)).rejects.toMatchObject({ code: 'NULLIFIER_USED' })
    expect(operator.status()).toEqual(before)
    expect(operator.isActive(second.newKeypair.publicKey)).toBe(false)
  })

  it('refuses a membership proof bound to another new key', async () => {
    const erin = generateKeypair()
    const { operator } = await operatorWith(erin)
    const { deactivation, receipt } = await deactivate(operator, erin)
    const attempt = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    const swapped = { ...attempt.submission, newPublicKey: generateKeypair().publicKey }
    await expect(operator.acceptReactivation(swapped)).rejects.toMatchObject({ code: 'KEY_MISMATCH' })
    expect(operator.isNullifierUsed(attempt.reactivation.nullifier)).toBe(false)
  })

  it('counts votes only from keys active at tally time', async () => {
    const [alice, frank] = [generateKeypair(), generateKeypair()]
    const { operator } = await operatorWith(alice, frank)
    await deactivate(operator, alice)
    const params = operator.publicParameters()
    await operator.submitVote(makeVote(frank, params, 3))
    // Alice's old key was deactivated: its vote must not count.
    await operator.submitVote(makeVote(alice, params, 1))
    // A key that never signed up is refused openly: the signup list is public.
    await expect(operator.submitVote(makeVote(generateKeypair(), params, 1))).rejects.toThrow(/UNKNOWN_KEY/)
    // Frank changes his mind: only his latest vote counts.
    await operator.submitVote(makeVote(frank, params, 2))
    const tally = await operator.tally()
    // Every defined option is listed, counted or not.
    expect(tally.counts).toEqual({ '0': 0, '1': 0, '2': 1, '3': 0 })
    expect(tally.countedVotes).toBe(1)
    expect(tally.ignoredVotes).toBe(2)
  })

  it('restores every piece of state after close and reopen', async () => {
    const [alice, bob, frank] = [generateKeypair(), generateKeypair(), generateKeypair()]
    const { operator, directory } = await operatorWith(alice, bob, frank)
    const { deactivation, receipt } = await deactivate(operator, alice)
    const { submission, newKeypair: alicesNewKey } = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect((await operator.acceptReactivation(submission)).activated).toBe(true)
    await deactivate(operator, bob)
    await operator.submitVote(makeVote(frank, operator.publicParameters(), 2))

    const status = operator.status()
    const tally = await operator.tally()
    const roots = operator.rootHistory()
    const leaves = operator.leaves(0, status.deactivations)
    const params = operator.publicParameters()
    const secrets = operator.leafKeySecrets()
    await operator.close()
    const reopened = await Operator.open(directory)
    try {
      expect(reopened.status()).toEqual(status)
      expect(await reopened.tally()).toEqual(tally)
      expect(reopened.rootHistory()).toEqual(roots)
      expect(reopened.leaves(0, status.deactivations)).toEqual(leaves)
      expect(reopened.publicParameters()).toEqual(params)
      expect(reopened.leafKeySecrets()).toEqual(secrets)
      expect(reopened.isActive(bob.publicKey)).toBe(false)
      expect(reopened.isActive(alice.publicKey)).toBe(false)
      expect(reopened.isActive(alicesNewKey.publicKey)).toBe(true)
      expect(reopened.isActive(frank.publicKey)).toBe(true)
    } finally {
      await reopened.close()
    }
  })

  it('refuses to initialise a directory twice', async () => {
    const other = await freshOperator()
    await other.operator.close()
    await expect(Operator.initialize(other.directory)).rejects.toThrow(/already initialised/)
    await other.cleanup()
  })
})
