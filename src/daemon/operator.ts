/**
 * The operator (DESIGN 2.1-2.3), free of any transport: the network services
 * (src/daemon/operator-service.ts, src/protocol/reactivate.ts) and the tests call these
 * methods directly. It joins the core's rules (src/core/operator-state.ts) to the store's
 * records (src/store/operator-records.ts): work that depends on a request alone (curve
 * checks, hashing, opening, proof verification) runs first; then, one call at a time, the
 * core decides, the store writes the change as one batch, and the core applies it. So
 * batches and in-memory state never diverge.
 */
import { decryptWith } from '../crypto/encryption.js'
import { randomFieldElement } from '../crypto/field.js'
import { generateKeypair, hashPublicKey, isOnCurve, type PublicKey } from '../crypto/keys.js'
import { poseidon } from '../crypto/poseidon.js'
import type { SignedRoot } from '../crypto/root-signature.js'
import { inThreadMessageOpener, type MessageOpener, type MessageOpenerFactory, type OpenedMessage } from '../core/message-opening.js'
import { EncryptionContext, MESSAGE_CIPHERTEXT_BYTES, MessageRefused, OperatorError } from '../core/messages.js'
import { OperatorState, type DeactivationReceipt, type OperatorStatus } from '../core/operator-state.js'
import { type PublicParameters } from '../core/parameters.js'
import { DEFAULT_TREE_DEPTH, DEFAULT_VOTE_OPTIONS, MAX_VOTE_OPTIONS } from '../core/poll-limits.js'
import {
  MEMBERSHIP_SIGNAL_COUNT,
  parseSignals,
  ReactivationRejected,
  type AdmittedMembership,
  type PrivateAttempt,
  type PublicAttempt,
  type ReactivationOutcome,
  type ReactivationSubmission,
} from '../core/reactivation.js'
import { countVotes, type Tally } from '../core/tally.js'
import { OperatorRecords } from '../store/operator-records.js'
import { releaseVerificationKeyHashes, verificationKey } from '../zk/artifacts.js'
import { verifyProof, type ProofWithSignals } from '../zk/groth16.js'
import { judgeVotes } from './vote-opening.js'

export class Operator {
  private queue: Promise<unknown> = Promise.resolve()
  /**
   * Membership proofs that verified here, by object, with their JSON at the time. A session's
   * submission carries the very proof its hello was admitted with, so accepting it skips a
   * second Groth16 verification; a proof changed since, or any other object, is verified.
   */
  private readonly verifiedMemberships = new WeakMap<ProofWithSignals, string>()
  private readonly opener: MessageOpener

  private constructor(
    private readonly records: OperatorRecords,
    private readonly state: OperatorState,
    private readonly privateKey: Uint8Array,
    openerFor: MessageOpenerFactory,
  ) {
    this.opener = openerFor(privateKey)
  }

  /**
   * Creates a new operator directory: the operator's encryption key, the leaf key K and its
   * blinding kappa, the published commitment KC = H(K, kappa), and the poll's vote options.
   */
  static async initialize(directory: string, options: { depth?: number; voteOptions?: number } = {}): Promise<PublicParameters> {
    const depth = options.depth ?? DEFAULT_TREE_DEPTH
    const voteOptions = options.voteOptions ?? DEFAULT_VOTE_OPTIONS
    if (depth !== DEFAULT_TREE_DEPTH) {
      throw new OperatorError(`the committed membership circuit has depth ${DEFAULT_TREE_DEPTH}; depth ${depth} has no artifacts`)
    }
    if (!Number.isSafeInteger(voteOptions) || voteOptions < 1 || voteOptions > MAX_VOTE_OPTIONS) {
      throw new OperatorError(`a poll has 1 to ${MAX_VOTE_OPTIONS} vote options, not ${voteOptions}`)
    }
    const keypair = generateKeypair()
    const K = randomFieldElement()
    const kappa = randomFieldElement()
    const parameters: PublicParameters = {
      operatorPublicKey: keypair.publicKey,
      keyCommitment: poseidon([K, kappa]),
      depth,
      vkeyHashes: releaseVerificationKeyHashes(),
      voteOptions,
    }
    await OperatorRecords.create(directory, parameters, { privateKey: keypair.privateKey, K, kappa })
    return parameters
  }

  /**
   * `messageOpener` makes what opens deactivations and votes: in this thread by default;
   * the daemon passes workerMessageOpener (src/daemon/message-opener.ts).
   */
  static async open(directory: string, options: { messageOpener?: MessageOpenerFactory } = {}): Promise<Operator> {
    const { records, parameters, secrets, snapshot } = await OperatorRecords.open(directory)
    try {
      const state = new OperatorState(parameters, secrets, snapshot)
      return new Operator(records, state, secrets.privateKey, options.messageOpener ?? inThreadMessageOpener)
    } catch (error) {
      await records.close()
      throw error
    }
  }

  async close(): Promise<void> {
    await this.queue
    await this.opener.close()
    await this.records.close()
  }

  publicParameters(): PublicParameters {
    return this.state.parameters
  }

  /** For the reactivation 2PC's operator side only: K and kappa are its private inputs. */
  leafKeySecrets(): { K: bigint; kappa: bigint } {
    return this.state.leafKeySecrets()
  }

  /** Opens a ciphertext sealed to the operator's public key (throws DecryptionError). */
  decrypt(ciphertext: Uint8Array, context: string): Uint8Array {
    return decryptWith(this.privateKey, ciphertext, context)
  }

  async signup(publicKey: PublicKey): Promise<{ stateIndex: number }> {
    // The curve and subgroup checks and the hash depend on the key alone, so they run
    // before the queue, not while every other call waits.
    if (!isOnCurve(publicKey)) throw new OperatorError('public key is not on BabyJubJub')
    const keyHash = hashPublicKey(publicKey)
    return this.serialized(async () => {
      const change = this.state.signup(publicKey, keyHash)
      await this.commit(change)
      return { stateIndex: change.stateIndex }
    })
  }

  /**
   * DESIGN 2.2 and 2.5. A ciphertext of the wrong length, one that does not open, or one
   * whose key is unknown is refused openly (MessageRefused): the sender knows all three.
   * For a known key the work is the same whatever the key's state (OperatorState.deactivation).
   *
   * A ciphertext already in the log gets its original receipt and changes nothing. The log
   * is public, so this tells nobody anything; it makes a voter's re-send after a lost reply
   * safe, and stops anyone from replaying logged ciphertexts into junk leaves.
   */
  async submitDeactivation(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    const replayed = this.state.replayedReceipt(ciphertext)
    if (replayed !== undefined) return replayed
    // Opening and verifying depend on the ciphertext alone (the known-key sets only grow),
    // so they run before the queue; the key's state is read only inside it.
    const opened = await this.openKnownMessage(ciphertext, EncryptionContext.deactivation, true)
    return this.serialized(async () => {
      // Checked again: the same ciphertext may have been in flight twice.
      const logged = this.state.replayedReceipt(ciphertext)
      if (logged !== undefined) return logged
      const { change, receipt } = this.state.deactivation(ciphertext, opened)
      await this.commit(change)
      return receipt
    })
  }

  /**
   * Votes are logged as they come and judged at tally time, against the active set then.
   * Refused openly, like deactivations, when the ciphertext has the wrong length, does not
   * open, or carries an unknown key; whether the key is active is never looked at here.
   */
  async submitVote(ciphertext: Uint8Array): Promise<{ index: number }> {
    // Votes are judged, signature included, at tally time.
    await this.openKnownMessage(ciphertext, EncryptionContext.vote, false)
    return this.serialized(async () => {
      const change = this.state.vote(ciphertext)
      await this.commit(change)
      return { index: change.index }
    })
  }

  /**
   * The gate before any 2PC work (DESIGN 2.5, "bounded sessions"): the membership proof a
   * voter opens a session with must be usable (well formed, a known root, unused N and L)
   * and must verify. Every check is on public data or on the voter's own proof, so a
   * refusal tells an honest voter nothing. Changes nothing.
   */
  async admitReactivation(membership: ProofWithSignals): Promise<AdmittedMembership> {
    const signals = this.state.checkMembership(parseSignals(membership, MEMBERSHIP_SIGNAL_COUNT))
    const asVerified = JSON.stringify(membership)
    if (this.verifiedMemberships.get(membership) !== asVerified) {
      if (!(await verifyProof('membership', membership))) {
        throw new ReactivationRejected('BAD_MEMBERSHIP_PROOF', 'membership proof does not verify')
      }
      this.verifiedMemberships.set(membership, asVerified)
    }
    return signals
  }

  /**
   * DESIGN 2.3 step 4 and 2.5 ("constant work"). Refuses, with nothing recorded, a
   * submission whose membership side is unusable (the checks of admitReactivation, which
   * an honest voter always passes). Past that point the work does not depend on the active
   * set, on K or on the outcome (OperatorState.reactivation): the leaf-opening proof is
   * always verified, and one batch of one shape records the attempt, N and L.
   */
  async acceptReactivation(submission: ReactivationSubmission): Promise<ReactivationOutcome> {
    const leafOpeningSignals = parseSignals(submission.leafOpening, verificationKey('leaf_opening').nPublic)
    if (!isOnCurve(submission.newPublicKey)) throw new ReactivationRejected('MALFORMED', 'new key is not on BabyJubJub')
    const newKeyHash = hashPublicKey(submission.newPublicKey)
    const { newKeyHash: boundKeyHash } = await this.admitReactivation(submission.membership)
    if (boundKeyHash !== newKeyHash) throw new ReactivationRejected('KEY_MISMATCH', 'the membership proof is bound to another key')
    // Both proofs are verified before the queue (tens of milliseconds each, during which no
    // deactivation could otherwise land); the verdict depends on the proof alone.
    const leafOpeningVerifies = await verifyProof('leaf_opening', submission.leafOpening)
    return this.serialized(async () => {
      // Again under the queue: another attempt may have spent N or L meanwhile.
      const admitted = this.state.checkMembership(parseSignals(submission.membership, MEMBERSHIP_SIGNAL_COUNT))
      const change = this.state.reactivation({
        admitted,
        membership: submission.membership,
        leafOpening: submission.leafOpening,
        leafOpeningSignals,
        leafOpeningVerifies,
        newPublicKey: submission.newPublicKey,
      })
      await this.commit(change)
      return { attempt: change.attempt, activated: change.privateRecord.activated }
    })
  }

  isNullifierUsed(nullifier: bigint): boolean {
    return this.state.isNullifierUsed(nullifier)
  }

  isLinkUsed(link: bigint): boolean {
    return this.state.isLinkUsed(link)
  }

  /** The full record of one reactivation attempt, public and private parts. Operator-only. */
  async reactivationRecord(attempt: number): Promise<PublicAttempt & PrivateAttempt> {
    const record = await this.records.attempt(attempt)
    if (record === undefined) throw new OperatorError(`no reactivation attempt ${attempt}`)
    return record
  }

  /** Every reactivation attempt, in order, once the calls before this one are done. Operator-only. */
  async reactivationRecords(): Promise<Array<PublicAttempt & PrivateAttempt>> {
    await this.queue
    return this.records.attempts()
  }

  /** Whether a key may vote now. Private to the operator: never served over the network. */
  isActive(publicKey: PublicKey): boolean {
    return this.state.isActive(hashPublicKey(publicKey))
  }

  leaves(from: number, to: number): bigint[] {
    return this.state.leaves(from, to)
  }

  rootHistory(): bigint[] {
    return this.state.rootHistory()
  }

  /** Root history entries [from, to), each signed with the tree size it belongs to. */
  signedRoots(from: number, to: number): SignedRoot[] {
    return this.state.signedRoots(from, to)
  }

  deactivationLog(from: number, to: number): Uint8Array[] {
    return this.state.deactivationLog(from, to)
  }

  signups(from: number, to: number): PublicKey[] {
    return this.state.signups(from, to)
  }

  status(): OperatorStatus {
    return this.state.status()
  }

  /** The tally (src/core/tally.ts) of the votes logged so far, against the active set now. */
  tally(): Promise<Tally> {
    // Serialized: the judging below awaits worker threads, and no vote or deactivation may land meanwhile.
    return this.serialized(async () => {
      // Decryption and verification, the costly part, run on every core (src/daemon/vote-opening.ts).
      const judged = await judgeVotes(this.privateKey, this.state.voteLog(), EncryptionContext.vote)
      return countVotes(judged, (keyHash) => this.state.isActive(keyHash), this.state.parameters.voteOptions)
    })
  }

  /** A message from a known key, or MessageRefused for what its sender can know is wrong with it. */
  private async openKnownMessage(ciphertext: Uint8Array, context: string, verify: boolean): Promise<OpenedMessage> {
    if (ciphertext.length !== MESSAGE_CIPHERTEXT_BYTES) {
      throw new MessageRefused('BAD_LENGTH', `a message ciphertext is ${MESSAGE_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`)
    }
    const opened = await this.opener.open(ciphertext, context, verify)
    if (opened === undefined) throw new MessageRefused('UNDECRYPTABLE', 'the ciphertext does not open under the operator key')
    if (!this.state.isKnownSender(opened.keyHash)) {
      throw new MessageRefused('UNKNOWN_KEY', 'the key is neither signed up nor the new key of a reactivation attempt')
    }
    return opened
  }

  /** Writes a change, then applies it: a failed write leaves the state as it was. */
  private async commit(change: Parameters<OperatorState['apply']>[0]): Promise<void> {
    await this.records.commit(change)
    this.state.apply(change)
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}
