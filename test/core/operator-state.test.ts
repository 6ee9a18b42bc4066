/**
 * The operator's rules as a state machine with no storage (src/core/operator-state.ts): a
 * rule returns the change it would make and changes nothing until `apply`, so a batch that
 * fails to write leaves the state as it was. Runs without LevelDB or a directory.
 */
import { describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair, hashPublicKey } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { poseidon, realLeafOf } from '../../src/crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { openMessage } from '../../src/core/message-opening.js'
import { EncryptionContext, OperatorError } from '../../src/core/messages.js'
import { OperatorState, type OperatorSnapshot } from '../../src/core/operator-state.js'
import { DEFAULT_TREE_DEPTH, DEFAULT_VOTE_OPTIONS } from '../../src/core/poll-limits.js'
import { ReactivationRejected } from '../../src/core/reactivation.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { encryptTo } from '../../src/crypto/encryption.js'

/** A snapshot holding `leaves` and nothing else: consistent only while `leaves` is empty. */
function snapshotOf(leaves: bigint[]): OperatorSnapshot {
  return {
    tree: IncrementalMerkleTree.fromLeaves(DEFAULT_TREE_DEPTH, leaves),
    roots: [],
    rootSignatures: [],
    signups: [],
    signupHashes: [],
    attemptedKeyHashes: [],
    activeKeys: [],
    deactivations: [],
    votes: [],
    nullifiers: [],
    links: [],
    attempts: 0,
  }
}

function emptyState(): { state: OperatorState; privateKey: Uint8Array; K: bigint } {
  const operatorKeys = generateKeypair()
  const K = randomFieldElement()
  const kappa = randomFieldElement()
  const snapshot = snapshotOf([])
  const parameters = {
    operatorPublicKey: operatorKeys.publicKey,
    keyCommitment: poseidon([K, kappa]),
    depth: DEFAULT_TREE_DEPTH,
    vkeyHashes: { membership: 'm', leafOpening: 'l' },
    voteOptions: DEFAULT_VOTE_OPTIONS,
  }
  return { state: new OperatorState(parameters, { privateKey: operatorKeys.privateKey, K, kappa }, snapshot), privateKey: operatorKeys.privateKey, K }
}

/** Three voters signed up, each with one valid deactivation applied. */
function threeDeactivated() {
  const { state, privateKey } = emptyState()
  const voters = [generateKeypair(), generateKeypair(), generateKeypair()]
  for (const voter of voters) state.apply(state.signup(voter.publicKey, hashPublicKey(voter.publicKey)))
  const receipts = voters.map((voter) => {
    const deactivation = makeDeactivation(voter, state.parameters)
    const opened = openMessage(privateKey, deactivation.ciphertext, EncryptionContext.deactivation, true)
    if (opened === undefined) throw new Error('the deactivation does not open')
    const { change, receipt } = state.deactivation(deactivation.ciphertext, opened)
    state.apply(change)
    return { receipt, change, ciphertext: deactivation.ciphertext }
  })
  return { state, privateKey, voters, receipts }
}

describe('OperatorState', () => {
  it('a signup rule returns its change and records nothing until it is applied', () => {
    const { state } = emptyState()
    const voter = generateKeypair()
    const keyHash = hashPublicKey(voter.publicKey)
    const change = state.signup(voter.publicKey, keyHash)
    expect(change).toMatchObject({ kind: 'signup', stateIndex: 0, keyHash })
    expect(state.status().signups).toBe(0)
    expect(state.isKnownSender(keyHash)).toBe(false)
    // Not applied, so the same signup is still new.
    expect(state.signup(voter.publicKey, keyHash).stateIndex).toBe(0)
    state.apply(change)
    expect(state.status().signups).toBe(1)
    expect(state.isActive(keyHash)).toBe(true)
    expect(() => state.signup(voter.publicKey, keyHash)).toThrow(OperatorError)
  })

  it('a deactivation rule leaves tree, log and active set alone until applied, then takes the real leaf', () => {
    const { state, privateKey, K } = emptyState()
    const voter = generateKeypair()
    const keyHash = hashPublicKey(voter.publicKey)
    state.apply(state.signup(voter.publicKey, keyHash))
    const deactivation = makeDeactivation(voter, state.parameters)
    const opened = openMessage(privateKey, deactivation.ciphertext, EncryptionContext.deactivation, true)
    if (opened === undefined) throw new Error('the deactivation does not open')
    const rootBefore = state.status().root

    const first = state.deactivation(deactivation.ciphertext, opened)
    expect(state.status()).toMatchObject({ deactivations: 0, root: rootBefore })
    expect(state.isActive(keyHash)).toBe(true)
    expect(state.replayedReceipt(deactivation.ciphertext)).toBeUndefined()

    state.apply(first.change)
    expect(first.receipt.leaf).toBe(realLeafOf(K, deactivation.commitment, 0))
    expect(state.status()).toMatchObject({ deactivations: 1, root: first.receipt.root })
    expect(state.rootHistory()).toEqual([first.receipt.root])
    expect(state.signedRoots(0, 1)[0].root).toBe(first.receipt.root)
    expect(state.isActive(keyHash)).toBe(false)
    expect(state.replayedReceipt(deactivation.ciphertext)).toEqual(first.receipt)
  })

  it('a forged signature takes a random leaf through the same rule', () => {
    const { state, privateKey, K } = emptyState()
    const voter = generateKeypair()
    const keyHash = hashPublicKey(voter.publicKey)
    state.apply(state.signup(voter.publicKey, keyHash))
    const commitment = randomFieldElement()
    const forged = { ...signMessage(generateKeypair(), MessageKind.deactivate, commitment), publicKey: voter.publicKey }
    const ciphertext = encryptTo(state.parameters.operatorPublicKey, encodeMessage(forged), EncryptionContext.deactivation)
    const opened = openMessage(privateKey, ciphertext, EncryptionContext.deactivation, true)
    if (opened === undefined) throw new Error('the deactivation does not open')
    const { change, receipt } = state.deactivation(ciphertext, opened)
    expect(receipt.leaf).not.toBe(realLeafOf(K, commitment, 0))
    expect(change).toMatchObject({ kind: 'deactivation', stillActive: true })
    state.apply(change)
    expect(state.isActive(keyHash)).toBe(true)
  })

  it('checks membership signals against its roots, nullifiers and links', () => {
    const { state } = emptyState()
    const unknownRoot = randomFieldElement()
    expect(() => state.checkMembership([unknownRoot, 1n, 2n, 3n])).toThrow(ReactivationRejected)
    expect(() => state.checkMembership([unknownRoot, 1n, 2n, 3n])).toThrow(/UNKNOWN_ROOT/)
  })

  it('refuses a snapshot whose lists do not fit together', () => {
    const { state } = emptyState()
    const voter = generateKeypair()
    state.apply(state.signup(voter.publicKey, hashPublicKey(voter.publicKey)))
    const operatorKeys = generateKeypair()
    const broken = snapshotOf([1n])
    expect(() => new OperatorState(state.parameters, { privateKey: operatorKeys.privateKey, K: 1n, kappa: 2n }, broken)).toThrow(/do not line up/)
  })

  it('refuses each kind of snapshot that does not fit together, with the check that fails', () => {
    const { state, privateKey, voters, receipts } = threeDeactivated()
    const leaves = receipts.map(({ receipt }) => receipt.leaf)
    const roots = receipts.map(({ receipt }) => receipt.root)
    const signatures = receipts.map(({ change }) => change.signedRoot)
    const consistent = (): OperatorSnapshot => ({
      ...snapshotOf(leaves),
      roots: [...roots],
      rootSignatures: [...signatures],
      signups: voters.map((voter) => `${voter.publicKey[0]}:${voter.publicKey[1]}`),
      signupHashes: voters.map((voter) => hashPublicKey(voter.publicKey)),
    })
    const open = (snapshot: OperatorSnapshot) => new OperatorState(state.parameters, { privateKey, K: 1n, kappa: 2n }, snapshot)
    expect(open(consistent()).status()).toMatchObject({ signups: 3, deactivations: 0, root: roots[2] })
    expect(() => open({ ...consistent(), signupHashes: consistent().signupHashes.slice(1) })).toThrow(/do not line up/)
    expect(() => open({ ...consistent(), roots: [roots[0], roots[1], roots[0]] })).toThrow(/root history does not match the stored leaves/)
    expect(() => open({ ...consistent(), rootSignatures: signatures.slice(0, 2) })).toThrow(/root signatures do not match/)
    // The newest signature is checked against the newest root, the first one included.
    expect(() => open({ ...consistent(), rootSignatures: [signatures[0], signatures[1], signatures[0]] })).toThrow(/root signatures do not match/)
    const one = { ...snapshotOf([leaves[0]]), roots: [roots[0]], rootSignatures: [signatures[1]] }
    expect(() => open(one)).toThrow(/root signatures do not match/)
  })

  it('serves exactly the range asked for', () => {
    const { state, voters, receipts } = threeDeactivated()
    const ciphertexts = receipts.map(({ ciphertext }) => ciphertext)
    expect(state.signups(1, 2)).toEqual([voters[1].publicKey])
    expect(state.deactivationLog(1, 3)).toEqual([ciphertexts[1], ciphertexts[2]].map((bytes) => Uint8Array.from(bytes)))
    const roots = state.rootHistory()
    expect(state.signedRoots(1, 2).map((signed) => signed.root)).toEqual([roots[1]])
    expect(state.signedRoots(1, 3).map((signed) => [signed.size, signed.root])).toEqual([[2, roots[1]], [3, roots[2]]])
    // A range that starts before the history starts at its beginning.
    expect(state.signedRoots(-1, 1).map((signed) => signed.root)).toEqual([roots[0]])
  })
})
