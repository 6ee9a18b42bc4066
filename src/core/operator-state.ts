/**
 * The operator's rules (DESIGN 2.1-2.3, 2.5) as a state machine with no storage in it, in
 * the manner of MACI's MaciState: the in-memory indexes, and for each request a rule that
 * checks it against them and returns the change it makes, without applying it. The caller
 * writes the change as one atomic batch (src/store/operator-records.ts) and only then
 * applies it here, so a failed write leaves the state as it was; the caller also runs the
 * rules one at a time (src/daemon/operator.ts), since each reads what the last applied.
 *
 * Logged values are held in their stored encodings (./records.ts) and decoded only when
 * served: a restart at 100k voters reads 100k of each.
 */
import { randomFieldElement } from '../crypto/field.js'
import type { PublicKey } from '../crypto/keys.js'
import type { IncrementalMerkleTree, PendingInsert } from '../crypto/merkle.js'
import { realLeafOf } from '../crypto/poseidon.js'
import { rootSignerOf, type SignedRoot } from '../crypto/root-signature.js'
import { MessageKind } from '../crypto/signed-message.js'
import type { ProofWithSignals } from '../zk/groth16.js'
import type { OpenedMessage } from './message-opening.js'
import { OperatorError } from './messages.js'
import type { PublicParameters } from './parameters.js'
import { LEAF_OPENING_SIGNALS, MEMBERSHIP_SIGNALS, ReactivationRejected, type AdmittedMembership, type PrivateAttempt, type PublicAttempt } from './reactivation.js'
import {
  decodeCiphertext,
  decodePublicKey,
  decodeSignedRootAt,
  encodeCiphertext,
  encodePublicKey,
  encodeSignedRootRecord,
  StoreError,
  type EncodedCiphertext,
  type EncodedPublicKey,
  type EncodedSignedRoot,
} from './records.js'

/** The leaf key K with its blinding kappa (KC = H(K, kappa) is public), and the operator's decryption key. */
export interface OperatorSecrets {
  privateKey: Uint8Array
  K: bigint
  kappa: bigint
}

export interface DeactivationReceipt {
  index: number
  leaf: bigint
  root: bigint
}

export interface OperatorStatus {
  signups: number
  deactivations: number
  reactivationAttempts: number
  votes: number
  root: bigint
}

/** The state as a store holds it: every list in order, values in their stored encodings. */
export interface OperatorSnapshot {
  tree: IncrementalMerkleTree
  roots: bigint[]
  rootSignatures: EncodedSignedRoot[]
  signups: EncodedPublicKey[]
  signupHashes: bigint[]
  attemptedKeyHashes: bigint[]
  activeKeys: bigint[]
  deactivations: EncodedCiphertext[]
  votes: EncodedCiphertext[]
  nullifiers: bigint[]
  links: bigint[]
  attempts: number
}

/** One request's effect: what a store writes in one batch, then what `apply` makes of it. */
export type OperatorChange =
  | { kind: 'signup'; stateIndex: number; publicKey: EncodedPublicKey; keyHash: bigint }
  | {
      kind: 'deactivation'
      index: number
      ciphertext: EncodedCiphertext
      insert: PendingInsert
      leaf: bigint
      signedRoot: EncodedSignedRoot
      keyHash: bigint
      /** Whether the key is active after it: written on every path, so the batch has one shape. */
      stillActive: boolean
    }
  | { kind: 'vote'; index: number; ciphertext: EncodedCiphertext }
  | {
      kind: 'reactivation'
      attempt: number
      publicRecord: PublicAttempt
      privateRecord: PrivateAttempt
      nullifier: bigint
      link: bigint
      newKeyHash: bigint
      /** Whether the new key is active after it: written on every path, so the batch has one shape. */
      active: boolean
    }

export class OperatorState {
  private readonly tree: IncrementalMerkleTree
  private readonly roots: bigint[]
  private readonly rootSet: Set<bigint>
  private readonly rootSignatures: EncodedSignedRoot[]
  private readonly signedUp: EncodedPublicKey[]
  private readonly signedUpHashes: Set<bigint>
  /** New keys of recorded reactivation attempts: public, as each membership proof's newKeyHash. */
  private readonly attemptedKeyHashes: Set<bigint>
  private readonly activeKeys: Set<bigint>
  private readonly deactivations: EncodedCiphertext[]
  /** Where each deactivation ciphertext sits in the log, so a replay is answered, not appended. */
  private readonly deactivationIndex: Map<EncodedCiphertext, number>
  private readonly votes: EncodedCiphertext[]
  private readonly nullifiers: Set<bigint>
  private readonly links: Set<bigint>
  private attempts: number
  private readonly signRoot: (size: number, root: bigint) => SignedRoot

  constructor(
    readonly parameters: PublicParameters,
    private readonly secrets: OperatorSecrets,
    snapshot: OperatorSnapshot,
  ) {
    this.tree = snapshot.tree
    this.roots = snapshot.roots
    this.rootSet = new Set(snapshot.roots)
    this.rootSignatures = snapshot.rootSignatures
    this.signedUp = snapshot.signups
    this.signedUpHashes = new Set(snapshot.signupHashes)
    this.attemptedKeyHashes = new Set(snapshot.attemptedKeyHashes)
    this.activeKeys = new Set(snapshot.activeKeys)
    this.deactivations = snapshot.deactivations
    this.deactivationIndex = new Map(snapshot.deactivations.map((ciphertext, index) => [ciphertext, index]))
    this.votes = snapshot.votes
    this.nullifiers = new Set(snapshot.nullifiers)
    this.links = new Set(snapshot.links)
    this.attempts = snapshot.attempts
    this.signRoot = rootSignerOf(secrets.privateKey)
    if (this.roots.length !== this.tree.size || this.signedUpHashes.size !== this.signedUp.length) {
      throw new StoreError('the stored leaves, roots and signup hashes do not line up')
    }
    if (this.tree.size > 0 && this.tree.root !== this.roots[this.roots.length - 1]) {
      throw new StoreError('the stored root history does not match the stored leaves')
    }
    // Each root's signature is written in the batch that writes the root; the newest is
    // checked here, and each one is decoded (and so checked for form) when it is served.
    const newest = this.rootSignatures.length - 1
    if (this.rootSignatures.length !== this.roots.length || (newest >= 0 && this.signedRootAt(newest).root !== this.roots[newest])) {
      throw new StoreError('the stored root signatures do not match the stored root history')
    }
  }

  /** K and kappa: the reactivation 2PC's operator-side private inputs, and nothing else's. */
  leafKeySecrets(): { K: bigint; kappa: bigint } {
    return { K: this.secrets.K, kappa: this.secrets.kappa }
  }

  /** A signup of a key checked and hashed by the caller (that work depends on the key alone). */
  signup(publicKey: PublicKey, keyHash: bigint): OperatorChange & { kind: 'signup' } {
    if (this.signedUpHashes.has(keyHash)) throw new OperatorError('public key is already signed up')
    return { kind: 'signup', stateIndex: this.signedUp.length, publicKey: encodePublicKey(publicKey), keyHash }
  }

  /** Whether a key may send deactivations and votes: signed up, or the new key of a public attempt. */
  isKnownSender(keyHash: bigint): boolean {
    return this.signedUpHashes.has(keyHash) || this.attemptedKeyHashes.has(keyHash)
  }

  /** The receipt of a ciphertext already in the deactivation log, if it is. */
  replayedReceipt(ciphertext: Uint8Array): DeactivationReceipt | undefined {
    const logged = this.deactivationIndex.get(encodeCiphertext(ciphertext))
    return logged === undefined ? undefined : { index: logged, leaf: this.tree.leaves[logged], root: this.roots[logged] }
  }

  /**
   * DESIGN 2.2 and 2.5 ("constant work"), for a message from a known key, opened and its
   * signature checked by the caller. The work is the same whatever the key's state: both
   * the real leaf H(K, c, i) and a random leaf are computed, the chosen one is prepared for
   * insertion and its root signed, and the change has the same shape either way. A valid
   * signature by an active key takes the real leaf and deactivates the key; anything else
   * takes the random one.
   */
  deactivation(ciphertext: Uint8Array, opened: OpenedMessage): { change: OperatorChange & { kind: 'deactivation' }; receipt: DeactivationReceipt } {
    const { message, keyHash, signatureValid } = opened
    const wasActive = this.activeKeys.has(keyHash)
    const valid = signatureValid && message.kind === MessageKind.deactivate && wasActive
    const leafIndex = this.tree.size
    const realLeaf = realLeafOf(this.secrets.K, message.payload, leafIndex)
    const randomLeaf = randomFieldElement()
    const leaf = valid ? realLeaf : randomLeaf
    const insert = this.tree.prepareInsert(leaf)
    const signedRoot = encodeSignedRootRecord(this.signRoot(leafIndex + 1, insert.root))
    return {
      change: {
        kind: 'deactivation',
        index: this.deactivations.length,
        ciphertext: encodeCiphertext(ciphertext),
        insert,
        leaf,
        signedRoot,
        keyHash,
        stillActive: wasActive && !valid,
      },
      receipt: { index: leafIndex, leaf, root: insert.root },
    }
  }

  /** Votes are logged as they come and judged at tally time, against the active set then. */
  vote(ciphertext: Uint8Array): OperatorChange & { kind: 'vote' } {
    return { kind: 'vote', index: this.votes.length, ciphertext: encodeCiphertext(ciphertext) }
  }

  /**
   * The membership side of a reactivation (DESIGN 2.5, "bounded sessions"): a known root,
   * and N and L unused. Everything checked is public, so a refusal tells an honest voter
   * nothing. Changes nothing.
   */
  checkMembership(signals: readonly bigint[]): AdmittedMembership {
    const [root, nullifier, newKeyHash, link] = [
      signals[MEMBERSHIP_SIGNALS.root],
      signals[MEMBERSHIP_SIGNALS.nullifier],
      signals[MEMBERSHIP_SIGNALS.newKeyHash],
      signals[MEMBERSHIP_SIGNALS.link],
    ]
    if (!this.rootSet.has(root)) throw new ReactivationRejected('UNKNOWN_ROOT', 'root is not in the root history')
    if (this.nullifiers.has(nullifier)) throw new ReactivationRejected('NULLIFIER_USED', 'nullifier was already used')
    if (this.links.has(link)) throw new ReactivationRejected('LINK_USED', 'link was already used')
    return { nullifier, link, newKeyHash, root }
  }

  /**
   * DESIGN 2.3 step 4 and 2.5 ("constant work"), once the membership side is admitted and
   * both proofs verified by the caller. The work does not depend on the active set, on K or
   * on the outcome: every condition is evaluated into a value, none guards another, and the
   * change has one shape; the new key becomes active only if everything held.
   */
  reactivation(input: {
    admitted: AdmittedMembership
    membership: ProofWithSignals
    leafOpening: ProofWithSignals
    leafOpeningSignals: readonly bigint[]
    leafOpeningVerifies: boolean
    newPublicKey: PublicKey
  }): OperatorChange & { kind: 'reactivation' } {
    const { nullifier, link, newKeyHash } = input.admitted
    const checks = [
      input.leafOpeningSignals[LEAF_OPENING_SIGNALS.link] === link,
      input.leafOpeningSignals[LEAF_OPENING_SIGNALS.keyCommitment] === this.parameters.keyCommitment,
      input.leafOpeningVerifies,
    ]
    const wasActive = this.activeKeys.has(newKeyHash)
    const activated = checks.every(Boolean) && !wasActive
    return {
      kind: 'reactivation',
      attempt: this.attempts,
      publicRecord: { nullifier: nullifier.toString(), link: link.toString(), membership: input.membership },
      privateRecord: { newPublicKey: encodePublicKey(input.newPublicKey), leafOpening: input.leafOpening, activated },
      nullifier,
      link,
      newKeyHash,
      active: activated || wasActive,
    }
  }

  /** Makes a change part of the state, once its batch is written. */
  apply(change: OperatorChange): void {
    switch (change.kind) {
      case 'signup':
        this.signedUp.push(change.publicKey)
        this.signedUpHashes.add(change.keyHash)
        this.activeKeys.add(change.keyHash)
        return
      case 'deactivation':
        this.deactivations.push(change.ciphertext)
        this.deactivationIndex.set(change.ciphertext, change.index)
        this.tree.commitInsert(change.insert)
        this.roots.push(change.insert.root)
        this.rootSet.add(change.insert.root)
        this.rootSignatures.push(change.signedRoot)
        if (!change.stillActive) this.activeKeys.delete(change.keyHash)
        return
      case 'vote':
        this.votes.push(change.ciphertext)
        return
      case 'reactivation':
        this.attempts++
        this.nullifiers.add(change.nullifier)
        this.links.add(change.link)
        this.attemptedKeyHashes.add(change.newKeyHash)
        if (change.privateRecord.activated) this.activeKeys.add(change.newKeyHash)
        return
    }
  }

  isNullifierUsed(nullifier: bigint): boolean {
    return this.nullifiers.has(nullifier)
  }

  isLinkUsed(link: bigint): boolean {
    return this.links.has(link)
  }

  /** Whether a key may vote now. Private to the operator: never served over the network. */
  isActive(keyHash: bigint): boolean {
    return this.activeKeys.has(keyHash)
  }

  leaves(from: number, to: number): bigint[] {
    return this.tree.leaves.slice(from, to)
  }

  rootHistory(): bigint[] {
    return [...this.roots]
  }

  /** Root history entries [from, to), each signed with the tree size it belongs to. */
  signedRoots(from: number, to: number): SignedRoot[] {
    const start = Math.max(0, from)
    return this.rootSignatures.slice(start, to).map((_, i) => this.signedRootAt(start + i))
  }

  deactivationLog(from: number, to: number): Uint8Array[] {
    return this.deactivations.slice(from, to).map(decodeCiphertext)
  }

  signups(from: number, to: number): PublicKey[] {
    return this.signedUp.slice(from, to).map(decodePublicKey)
  }

  /** Every logged vote, in log order, for the tally. */
  voteLog(): Uint8Array[] {
    return this.votes.map(decodeCiphertext)
  }

  status(): OperatorStatus {
    return {
      signups: this.signedUp.length,
      deactivations: this.deactivations.length,
      reactivationAttempts: this.attempts,
      votes: this.votes.length,
      root: this.tree.root,
    }
  }

  private signedRootAt(index: number): SignedRoot {
    return decodeSignedRootAt(this.rootSignatures[index], index + 1)
  }
}

/** The new key hash a recorded attempt's membership proof binds (it makes that key a known sender). */
export function attemptedKeyHashOf(record: PublicAttempt): bigint {
  return BigInt(record.membership.publicSignals[MEMBERSHIP_SIGNALS.newKeyHash])
}

