/**
 * Reactivation acceptance on the operator core, one adversarial submission per case (issue 14).
 * Every case is built so that exactly one rule of acceptReactivation can refuse it: the
 * proofs it carries verify, so a missing rule shows up as an activation or as another
 * rejection code. Each case runs on its own copy of one prepared operator state, so no case
 * depends on another having run.
 */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { Operator } from '../../src/daemon/operator.js'
import { type ReactivationSubmission } from '../../src/core/reactivation.js'
import { LevelStore } from '../../src/store/level-store.js'
import { makeDeactivation, prepareReactivation, proveMembership, type Deactivation } from '../../src/core/voter.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { proveLeafOpeningReference } from '../../src/zk/reference-prover.js'
import { reactivateWithReferenceProver, temporaryDirectory } from './helpers.js'

afterAll(() => releaseProverThreads())

interface Prepared {
  submission: ReactivationSubmission
  newKeypair: Keypair
}

describe('reactivation acceptance: adversarial matrix', () => {
  let workspace: string
  let removeWorkspace: () => Promise<void>
  let template: string
  let copies = 0
  const opened: Operator[] = []
  const carol = generateKeypair()
  /** Alice's and Bob's honest reactivations: valid membership and leaf-opening proofs. */
  let alice: Prepared
  let bob: Prepared
  /** Alice's deactivation reactivated a second time (another rho, so another L), bound to Carol's active key. */
  let aliceAgainForCarol: Prepared
  /** Alice's real leaf and a valid leaf opening, proved against a tree the operator never had. */
  let foreignRoot: Prepared
  let aliceDeactivation: Deactivation

  /** A private copy of the prepared state. */
  async function operatorCopy(): Promise<{ operator: Operator; directory: string }> {
    const directory = join(workspace, `copy-${copies++}`)
    await cp(template, directory, { recursive: true })
    const operator = await Operator.open(directory)
    opened.push(operator)
    return { operator, directory }
  }

  beforeAll(async () => {
    ;({ path: workspace, remove: removeWorkspace } = await temporaryDirectory())
    template = join(workspace, 'template')
    await Operator.initialize(template)
    const operator = await Operator.open(template)
    try {
      const aliceKey = generateKeypair()
      const bobKey = generateKeypair()
      for (const key of [aliceKey, bobKey, carol]) await operator.signup(key.publicKey)
      const params = operator.publicParameters()
      aliceDeactivation = makeDeactivation(aliceKey, params)
      const aliceIndex = (await operator.submitDeactivation(aliceDeactivation.ciphertext)).index
      const bobDeactivation = makeDeactivation(bobKey, params)
      const bobIndex = (await operator.submitDeactivation(bobDeactivation.ciphertext)).index
      alice = await reactivateWithReferenceProver(operator, aliceDeactivation, aliceIndex)
      bob = await reactivateWithReferenceProver(operator, bobDeactivation, bobIndex)
      aliceAgainForCarol = await reactivateWithReferenceProver(operator, aliceDeactivation, aliceIndex, carol)

      // The operator's leaves plus one it never inserted: the membership proof verifies, and
      // its leaf (Alice's real one, at her index) opens under K, but its root was never published.
      const leaves = [...operator.leaves(0, operator.status().deactivations), randomFieldElement()]
      const newKeypair = generateKeypair()
      const reactivation = prepareReactivation({
        secret: aliceDeactivation.secret,
        leafIndex: aliceIndex,
        leaves,
        depth: params.depth,
        newPublicKey: newKeypair.publicKey,
      })
      const { K, kappa } = operator.leafKeySecrets()
      foreignRoot = {
        newKeypair,
        submission: {
          newPublicKey: newKeypair.publicKey,
          membership: await proveMembership(reactivation),
          leafOpening: await proveLeafOpeningReference({ ...reactivation.leafOpening, K, kappa }),
        },
      }
    } finally {
      await operator.close()
    }
  })

  afterAll(async () => {
    await Promise.all(opened.map((operator) => operator.close().catch(() => undefined)))
    await removeWorkspace()
  })

  it('accepts each honest reactivation on its own (the control for every case below)', async () => {
    for (const honest of [alice, bob]) {
      const { operator } = await operatorCopy()
      expect(await operator.acceptReactivation(honest.submission)).toEqual({ attempt: 0, activated: true })
      expect(operator.isActive(honest.newKeypair.publicKey)).toBe(true)
    }
  })

  it("a real leaf-opening proof with another attempt's link activates nothing, and is recorded", async () => {
    const { operator } = await operatorCopy()
    const crossed: ReactivationSubmission = { ...bob.submission, leafOpening: alice.submission.leafOpening }
    expect(await verifyProof('leaf_opening', crossed.leafOpening)).toBe(true)
    expect(crossed.leafOpening.publicSignals[0]).not.toBe(crossed.membership.publicSignals[3])
    expect(await operator.acceptReactivation(crossed)).toEqual({ attempt: 0, activated: false })
    expect(operator.isActive(bob.newKeypair.publicKey)).toBe(false)
    expect(operator.isLinkUsed(BigInt(bob.submission.membership.publicSignals[3]))).toBe(true)
    expect((await operator.reactivationRecord(0)).activated).toBe(false)
  })

  it('a leaf-opening proof that verifies under another KC activates nothing', async () => {
    // The same leaves and roots, but the operator now publishes KC' = H(K', kappa'): Alice's
    // leaf-opening proof still verifies, with the old KC as its public signal.
    const { directory } = await operatorCopy().then(async (copy) => {
      await copy.operator.close()
      opened.splice(opened.indexOf(copy.operator), 1)
      return copy
    })
    const store = await LevelStore.open(directory)
    const params = JSON.parse((await store.get('meta/params'))!) as Record<string, unknown>
    const secrets = JSON.parse((await store.get('secret/operator'))!) as Record<string, string>
    const [otherKey, otherBlinding] = [randomFieldElement(), randomFieldElement()]
    await store.batch([
      { type: 'put', key: 'secret/operator', value: JSON.stringify({ ...secrets, leafKey: String(otherKey), leafKeyBlinding: String(otherBlinding) }) },
      { type: 'put', key: 'meta/params', value: JSON.stringify({ ...params, keyCommitment: String(poseidon([otherKey, otherBlinding])) }) },
    ])
    await store.close()
    const operator = await Operator.open(directory)
    opened.push(operator)
    expect(await verifyProof('leaf_opening', alice.submission.leafOpening)).toBe(true)
    expect(alice.submission.leafOpening.publicSignals[1]).not.toBe(operator.publicParameters().keyCommitment.toString())
    expect(await operator.acceptReactivation(alice.submission)).toEqual({ attempt: 0, activated: false })
    expect(operator.isActive(alice.newKeypair.publicKey)).toBe(false)
  })

  it('a reused nullifier is refused with NULLIFIER_USED and changes nothing, though both proofs verify', async () => {
    const { operator } = await operatorCopy()
    expect((await operator.acceptReactivation(alice.submission)).activated).toBe(true)
    const before = operator.status()
    const again = aliceAgainForCarol.submission
    expect(again.membership.publicSignals[1]).toBe(alice.submission.membership.publicSignals[1])
    expect(again.membership.publicSignals[3]).not.toBe(alice.submission.membership.publicSignals[3])
    expect(await verifyProof('leaf_opening', again.leafOpening)).toBe(true)
    await expect(operator.acceptReactivation(again)).rejects.toMatchObject({ code: 'NULLIFIER_USED', message: expect.stringMatching(/nullifier was already used/) })
    await expect(operator.admitReactivation(again.membership)).rejects.toMatchObject({ code: 'NULLIFIER_USED' })
    expect(operator.status()).toEqual(before)
    expect(operator.isLinkUsed(BigInt(again.membership.publicSignals[3]))).toBe(false)
  })

  it('a reused link is refused with LINK_USED, before the proof is even verified', async () => {
    // A second attempt with a fresh nullifier and a spent link: no valid proof can carry both
    // (L and N derive from one s), so the code, not a failed verification, must refuse it.
    const { operator } = await operatorCopy()
    await operator.acceptReactivation(alice.submission)
    const signals = [...alice.submission.membership.publicSignals]
    signals[1] = String(randomFieldElement())
    const reused = { ...alice.submission, membership: { ...alice.submission.membership, publicSignals: signals } }
    const before = operator.status()
    await expect(operator.admitReactivation(reused.membership)).rejects.toMatchObject({ code: 'LINK_USED' })
    await expect(operator.acceptReactivation(reused)).rejects.toMatchObject({ code: 'LINK_USED', message: expect.stringMatching(/link was already used/) })
    expect(operator.status()).toEqual(before)
    expect(operator.isNullifierUsed(BigInt(signals[1]))).toBe(false)
  })

  it('a valid membership proof against a root never published is refused with UNKNOWN_ROOT', async () => {
    const { operator } = await operatorCopy()
    const { submission } = foreignRoot
    // Only the root check stands in the way: both proofs verify, with the right link and KC.
    expect(await verifyProof('membership', submission.membership)).toBe(true)
    expect(await verifyProof('leaf_opening', submission.leafOpening)).toBe(true)
    expect(submission.leafOpening.publicSignals).toEqual([submission.membership.publicSignals[3], operator.publicParameters().keyCommitment.toString()])
    expect(operator.rootHistory()).not.toContain(BigInt(submission.membership.publicSignals[0]))
    const before = operator.status()
    await expect(operator.admitReactivation(submission.membership)).rejects.toMatchObject({ code: 'UNKNOWN_ROOT' })
    await expect(operator.acceptReactivation(submission)).rejects.toMatchObject({ code: 'UNKNOWN_ROOT', message: expect.stringMatching(/not in the root history/) })
    expect(operator.status()).toEqual(before)
    expect(operator.isActive(foreignRoot.newKeypair.publicKey)).toBe(false)
    expect(operator.isNullifierUsed(BigInt(submission.membership.publicSignals[1]))).toBe(false)
  })

  it('a membership proof that does not verify is refused with BAD_MEMBERSHIP_PROOF', async () => {
    const { operator } = await operatorCopy()
    const proof = { ...alice.submission.membership.proof, pi_a: bob.submission.membership.proof.pi_a }
    const broken = { ...alice.submission, membership: { ...alice.submission.membership, proof } }
    await expect(operator.admitReactivation(broken.membership)).rejects.toMatchObject({ code: 'BAD_MEMBERSHIP_PROOF' })
    await expect(operator.acceptReactivation(broken)).rejects.toMatchObject({ code: 'BAD_MEMBERSHIP_PROOF', message: expect.stringMatching(/does not verify/) })
    expect(operator.status().reactivationAttempts).toBe(0)
  })

  it('a membership proof admitted and changed in place since is verified again at acceptance, and refused', async () => {
    const { operator } = await operatorCopy()
    const membership = structuredClone(alice.submission.membership)
    await operator.admitReactivation(membership)
    membership.proof.pi_a = bob.submission.membership.proof.pi_a
    await expect(operator.acceptReactivation({ ...alice.submission, membership })).rejects.toMatchObject({ code: 'BAD_MEMBERSHIP_PROOF' })
    expect(operator.status().reactivationAttempts).toBe(0)
  })

  it('a new key that is already active stays active, gains nothing, and the attempt is recorded', async () => {
    const { operator, directory } = await operatorCopy()
    expect(operator.isActive(carol.publicKey)).toBe(true)
    expect(await operator.acceptReactivation(aliceAgainForCarol.submission)).toEqual({ attempt: 0, activated: false })
    expect(operator.isActive(carol.publicKey)).toBe(true)
    expect(operator.isNullifierUsed(BigInt(aliceAgainForCarol.submission.membership.publicSignals[1]))).toBe(true)
    await operator.close()
    opened.splice(opened.indexOf(operator), 1)
    const reopened = await Operator.open(directory)
    opened.push(reopened)
    expect(reopened.isActive(carol.publicKey)).toBe(true)
    expect(reopened.status().reactivationAttempts).toBe(1)
  })

  it('an activation and a refusal both survive a restart', async () => {
    const { operator, directory } = await operatorCopy()
    expect(await operator.acceptReactivation(alice.submission)).toEqual({ attempt: 0, activated: true })
    expect(await operator.acceptReactivation({ ...bob.submission, leafOpening: alice.submission.leafOpening })).toEqual({ attempt: 1, activated: false })
    expect(operator.status().reactivationAttempts).toBe(2)
    expect((await operator.reactivationRecord(1)).activated).toBe(false)
    await operator.close()
    opened.splice(opened.indexOf(operator), 1)
    const reopened = await Operator.open(directory)
    opened.push(reopened)
    expect(reopened.isActive(alice.newKeypair.publicKey)).toBe(true)
    expect(reopened.isActive(bob.newKeypair.publicKey)).toBe(false)
    for (const prepared of [alice, bob]) {
      const [, nullifier, , link] = prepared.submission.membership.publicSignals.map(BigInt)
      expect(reopened.isNullifierUsed(nullifier)).toBe(true)
      expect(reopened.isLinkUsed(link)).toBe(true)
    }
    // A key that reactivated can deactivate again: its hash is a known key now.
    expect(reopened.status().reactivationAttempts).toBe(2)
    const receipt = await reopened.submitDeactivation(makeDeactivation(bob.newKeypair, reopened.publicParameters()).ciphertext)
    expect(receipt.index).toBe(2)
  })

  it('refuses malformed submissions as MALFORMED, or as KEY_MISMATCH for another key, recording nothing', async () => {
    const { operator } = await operatorCopy()
    const { submission } = alice
    const cases: [ReactivationSubmission, string, RegExp][] = [
      [{ ...submission, newPublicKey: [submission.newPublicKey[0], submission.newPublicKey[1] + 1n] }, 'MALFORMED', /not on BabyJubJub/],
      [{ ...submission, newPublicKey: generateKeypair().publicKey }, 'KEY_MISMATCH', /bound to another key/],
      [{ ...submission, leafOpening: { ...submission.leafOpening, publicSignals: submission.leafOpening.publicSignals.slice(1) } }, 'MALFORMED', /expected 2 public signals/],
      [{ ...submission, membership: { ...submission.membership, publicSignals: [...submission.membership.publicSignals, '1'] } }, 'MALFORMED', /expected 4/],
      [{ ...submission, membership: { ...submission.membership, publicSignals: ['x', ...submission.membership.publicSignals.slice(1)] } }, 'MALFORMED', /./],
      [{ ...submission, leafOpening: null as never }, 'MALFORMED', /expected 2/],
      [{ ...submission, leafOpening: undefined as never }, 'MALFORMED', /expected 2/],
      [{ ...submission, leafOpening: 7 as never }, 'MALFORMED', /expected 2/],
    ]
    for (const [bad, code, message] of cases) {
      await expect(operator.acceptReactivation(bad)).rejects.toMatchObject({ code, message: expect.stringMatching(message) })
    }
    expect(operator.status().reactivationAttempts).toBe(0)
    expect(operator.isNullifierUsed(BigInt(submission.membership.publicSignals[1]))).toBe(false)
  })
})
