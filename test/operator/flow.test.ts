import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { poseidon, realLeafOf } from '../../src/crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext, Operator, ReactivationRejected } from '../../src/daemon/operator.js'
import { makeDeactivation, makeVote } from '../../src/daemon/voter.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { freshOperator, reactivateWithReferenceProver } from './helpers.js'

afterAll(() => releaseProverThreads())

describe('operator core, in one process', () => {
  let operator: Operator
  let directory: string
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({ operator, directory, cleanup } = await freshOperator())
  })
  afterAll(() => cleanup())

  const alice = generateKeypair()
  const bob = generateKeypair()
  const carol = generateKeypair()
  let alicesNewKey: Keypair

  it('signs up keys in order and refuses a duplicate', async () => {
    expect(await operator.signup(alice.publicKey)).toEqual({ stateIndex: 0 })
    expect(await operator.signup(bob.publicKey)).toEqual({ stateIndex: 1 })
    expect(await operator.signup(carol.publicKey)).toEqual({ stateIndex: 2 })
    await expect(operator.signup(alice.publicKey)).rejects.toThrow(/already signed up/)
    expect(operator.isActive(alice.publicKey)).toBe(true)
    expect(operator.signups(0, 3)).toEqual([alice.publicKey, bob.publicKey, carol.publicKey])
  })

  it('valid deactivation then reactivation: the new key is active and the old one is not', async () => {
    const params = operator.publicParameters()
    const deactivation = makeDeactivation(alice, params)
    const receipt = await operator.submitDeactivation(deactivation.ciphertext)
    expect(receipt.leaf).toBe(realLeafOf(operator.leafKeySecrets().leafKey, deactivation.commitment, receipt.index))
    expect(receipt.root).toBe(operator.status().root)
    expect(operator.isActive(alice.publicKey)).toBe(false)

    const { submission, newKeypair } = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect(await verifyProof('leaf_opening', submission.leafOpening)).toBe(true)
    const outcome = await operator.acceptReactivation(submission)
    expect(outcome.activated).toBe(true)
    alicesNewKey = newKeypair
    expect(operator.isActive(newKeypair.publicKey)).toBe(true)
    expect(operator.isActive(alice.publicKey)).toBe(false)
  })

  it('invalid deactivations get a receipt of the same shape and their reactivation activates nothing', async () => {
    const params = operator.publicParameters()
    // Bad signature: Bob's key, signed by Carol.
    const forged = signMessage(carol, MessageKind.deactivate, poseidon([1n]))
    const forgedCiphertext = encryptTo(
      params.operatorPublicKey,
      encodeMessage({ ...forged, publicKey: bob.publicKey }),
      EncryptionContext.deactivation,
    )
    const valid = makeDeactivation(bob, params)
    // Key not active: Alice was deactivated above.
    const inactive = makeDeactivation(alice, params)

    const forgedReceipt = await operator.submitDeactivation(forgedCiphertext)
    const inactiveReceipt = await operator.submitDeactivation(inactive.ciphertext)
    const validReceipt = await operator.submitDeactivation(valid.ciphertext)
    // Same keys, same types, every field element a full-width field element.
    const shape = (receipt: object) =>
      JSON.stringify(receipt, (_key, value) => (typeof value === 'bigint' ? 'field' : typeof value === 'number' ? 'index' : value))
    expect(shape(forgedReceipt)).toBe(shape(validReceipt))
    expect(shape(inactiveReceipt)).toBe(shape(validReceipt))
    expect(forgedCiphertext.length).toBe(valid.ciphertext.length)
    expect(operator.isActive(bob.publicKey)).toBe(false)

    const { leafKey } = operator.leafKeySecrets()
    expect(inactiveReceipt.leaf).not.toBe(realLeafOf(leafKey, inactive.commitment, inactiveReceipt.index))

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
    const params = operator.publicParameters()
    const deactivation = makeDeactivation(carol, params)
    const receipt = await operator.submitDeactivation(deactivation.ciphertext)
    const first = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect((await operator.acceptReactivation(first.submission)).activated).toBe(true)

    const before = operator.status()
    const second = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    await expect(operator.acceptReactivation(second.submission)).rejects.toMatchObject({ code: 'NULLIFIER_USED' })
    expect(operator.status()).toEqual(before)
    expect(operator.isActive(second.newKeypair.publicKey)).toBe(false)
  })

  it('refuses an unknown root', async () => {
    const dave = generateKeypair()
    await operator.signup(dave.publicKey)
    const deactivation = makeDeactivation(dave, operator.publicParameters())
    const receipt = await operator.submitDeactivation(deactivation.ciphertext)
    const attempt = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    const tampered = {
      ...attempt.submission,
      membership: { ...attempt.submission.membership, publicSignals: ['1', ...attempt.submission.membership.publicSignals.slice(1)] },
    }
    const before = operator.status()
    const rejection = await operator.acceptReactivation(tampered).catch((error: unknown) => error)
    expect(rejection).toBeInstanceOf(ReactivationRejected)
    expect((rejection as ReactivationRejected).code).toBe('UNKNOWN_ROOT')
    expect(operator.status()).toEqual(before)
  })

  it('refuses a membership proof bound to another new key', async () => {
    const erin = generateKeypair()
    await operator.signup(erin.publicKey)
    const deactivation = makeDeactivation(erin, operator.publicParameters())
    const receipt = await operator.submitDeactivation(deactivation.ciphertext)
    const attempt = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    const swapped = { ...attempt.submission, newPublicKey: generateKeypair().publicKey }
    await expect(operator.acceptReactivation(swapped)).rejects.toMatchObject({ code: 'KEY_MISMATCH' })
    expect(operator.isNullifierUsed(attempt.reactivation.nullifier)).toBe(false)
  })

  it('counts votes only from keys active at tally time', async () => {
    const params = operator.publicParameters()
    const frank = generateKeypair()
    await operator.signup(frank.publicKey)
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
    const status = operator.status()
    const tally = await operator.tally()
    const roots = operator.rootHistory()
    const leaves = operator.leaves(0, status.deactivations)
    const params = operator.publicParameters()
    const secrets = operator.leafKeySecrets()
    await operator.close()
    operator = await Operator.open(directory)
    expect(operator.status()).toEqual(status)
    expect(await operator.tally()).toEqual(tally)
    expect(operator.rootHistory()).toEqual(roots)
    expect(operator.leaves(0, status.deactivations)).toEqual(leaves)
    expect(operator.publicParameters()).toEqual(params)
    expect(operator.leafKeySecrets()).toEqual(secrets)
    expect(operator.isActive(bob.publicKey)).toBe(false)
    expect(operator.isActive(alice.publicKey)).toBe(false)
    expect(operator.isActive(alicesNewKey.publicKey)).toBe(true)
  })

  it('refuses to initialise a directory twice', async () => {
    const other = await freshOperator()
    await other.operator.close()
    await expect(Operator.initialize(other.directory)).rejects.toThrow(/already initialised/)
    await other.cleanup()
  })
})
