/**
 * Attack 1 of issue 8 (P1): the equal-commitment oracle. Signup is open, so a briber holds a
 * bought key X and a helper key B that it knows is active. It deactivates X with some
 * commitment c, then B with the same c, and compares the two public leaves. With leaves
 * H(K, c) they were equal exactly when X was still active, which also handed the briber the
 * secret behind a real leaf. With H(K, c, i) every real leaf is unique, so the comparison
 * says the same whatever X's state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { realLeafOf } from '../../src/crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { type Operator } from '../../src/daemon/operator.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { freshOperator, reactivateWithReferenceProver } from '../operator/helpers.js'

/** A deactivation whose commitment the briber chooses, as a modified client would send it. */
function deactivationWithCommitment(operator: Operator, keypair: Keypair, commitment: bigint): Uint8Array {
  const message = signMessage(keypair, MessageKind.deactivate, commitment)
  return encryptTo(operator.publicParameters().operatorPublicKey, encodeMessage(message), EncryptionContext.deactivation)
}

describe('attack 1: equal-commitment oracle', () => {
  let operator: Operator
  let cleanup: () => Promise<void>

  beforeEach(async () => {
    ;({ operator, cleanup } = await freshOperator())
  })
  afterEach(async () => cleanup())

  async function signedUp(): Promise<Keypair> {
    const keypair = generateKeypair()
    await operator.signup(keypair.publicKey)
    return keypair
  }

  /** The briber's whole attack: its guess that X was active, and what it saw. */
  async function attack(bought: Keypair, helper: Keypair) {
    const commitment = randomFieldElement()
    const first = await operator.submitDeactivation(deactivationWithCommitment(operator, bought, commitment))
    const second = await operator.submitDeactivation(deactivationWithCommitment(operator, helper, commitment))
    return { guessActive: first.leaf === second.leaf, commitment, first, second }
  }

  it('learns nothing when the bought key is still active: both leaves are real and unrelated', async () => {
    const [bought, helper] = [await signedUp(), await signedUp()]
    const { guessActive, commitment, first, second } = await attack(bought, helper)
    expect(guessActive).toBe(false)
    // Both keys were active, so both leaves are real: each bound to its own index.
    const { K } = operator.leafKeySecrets()
    expect(first.leaf).toBe(realLeafOf(K, commitment, first.index))
    expect(second.leaf).toBe(realLeafOf(K, commitment, second.index))
  })

  it('reaches the same conclusion when the bought key was already deactivated', async () => {
    const [bought, helper] = [await signedUp(), await signedUp()]
    // The voter deactivated X behind the briber's back.
    await operator.submitDeactivation(makeDeactivation(bought, operator.publicParameters()).ciphertext)
    const { guessActive } = await attack(bought, helper)
    expect(guessActive).toBe(false)
  })

  it('fails the same way against a reactivated key', async () => {
    const [voter, helper] = [await signedUp(), await signedUp()]
    const deactivation = makeDeactivation(voter, operator.publicParameters())
    const receipt = await operator.submitDeactivation(deactivation.ciphertext)
    const { submission, newKeypair } = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
    expect((await operator.acceptReactivation(submission)).activated).toBe(true)
    // The briber bought the new key and asks whether it is active.
    const { guessActive } = await attack(newKeypair, helper)
    expect(guessActive).toBe(false)
  })
})
