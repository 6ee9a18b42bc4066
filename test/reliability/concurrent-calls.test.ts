/**
 * Issue 12, item 5: the operator opens, verifies and hashes before its queue, and decides
 * inside it. What was checked before the queue and can change meanwhile (a nullifier
 * spent, a ciphertext logged, a key signed up) must be checked again inside it, so two
 * identical calls at once still count once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import type { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { freshOperator, reactivateWithReferenceProver } from '../operator/helpers.js'

describe('identical operator calls at once', () => {
  let operator: Operator
  let cleanup: () => Promise<void>

  beforeEach(async () => {
    ;({ operator, cleanup } = await freshOperator())
  })

  afterEach(async () => {
    await cleanup()
    await releaseProverThreads()
  })

  it('one signup of a key, the other refused', async () => {
    const keypair = generateKeypair()
    const outcomes = await Promise.allSettled([operator.signup(keypair.publicKey), operator.signup(keypair.publicKey)])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { message: expect.stringMatching(/already signed up/) } })
    expect(operator.status().signups).toBe(1)
  })

  it('one log entry for a deactivation sent twice, with one receipt for both', async () => {
    const keypair = generateKeypair()
    await operator.signup(keypair.publicKey)
    const { ciphertext } = makeDeactivation(keypair, operator.publicParameters())
    const [first, second] = await Promise.all([operator.submitDeactivation(ciphertext), operator.submitDeactivation(ciphertext)])
    expect(second).toEqual(first)
    expect(operator.status().deactivations).toBe(1)
  })

  it('one attempt for a reactivation submitted twice: the second finds its nullifier spent', async () => {
    const keypair = generateKeypair()
    await operator.signup(keypair.publicKey)
    const deactivation = makeDeactivation(keypair, operator.publicParameters())
    const { index } = await operator.submitDeactivation(deactivation.ciphertext)
    const { submission } = await reactivateWithReferenceProver(operator, deactivation, index)
    const outcomes = await Promise.allSettled([operator.acceptReactivation(submission), operator.acceptReactivation(submission)])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: { attempt: 0, activated: true } }])
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'NULLIFIER_USED' } })
    expect(operator.status().reactivationAttempts).toBe(1)
  })
})
