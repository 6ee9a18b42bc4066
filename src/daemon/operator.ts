/**
 * The operator core (DESIGN 2.1-2.3), free of any transport: the network service in
 * src/daemon/operator-service.ts and the tests call these methods directly. All state lives
 * in an OperatorStore; every method that changes state writes exactly one LevelDB batch,
 * and state-changing calls run one at a time so batches and in-memory state never diverge.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CIPHERTEXT_OVERHEAD, decryptWith } from '../crypto/encryption.js'
import { fieldFromDecimal, randomFieldElement } from '../crypto/field.js'
import { generateKeypair, hashPublicKey, isOnCurve, publicKeyFromString, publicKeyToString, type PublicKey } from '../crypto/keys.js'
import { IncrementalMerkleTree, type MerkleFrontier } from '../crypto/merkle.js'
import { poseidon, realLeafOf } from '../crypto/poseidon.js'
import { decodeSignedRoot, encodeSignedRoot, signRoot, type SignedRoot } from '../crypto/root-signature.js'
import { MessageKind, SIGNED_MESSAGE_BYTES } from '../crypto/signed-message.js'
import { releaseVerificationKeyHashes, verificationKey } from '../zk/artifacts.js'
import { verifyProof, writeProofFiles, type ProofWithSignals } from '../zk/groth16.js'
import { indexKey, OperatorStore, StoreError } from './store.js'
import { inThreadMessageOpener, type MessageOpener, type MessageOpenerFactory, type OpenedMessage } from './message-opener.js'
import { judgeVotes } from './vote-opening.js'

export const DEFAULT_TREE_DEPTH = 20
/** A poll's options are 0 .. voteOptions - 1 unless `operator init` says otherwise. */
export const DEFAULT_VOTE_OPTIONS = 4
/** Most options a poll may define: the tally lists every one of them. */
export const MAX_VOTE_OPTIONS = 1024

/**
 * Every deactivation and vote ciphertext has exactly this length (DESIGN 2.5, "no free
 * leaves"): one fixed-size signed message under ECIES. Anything else is refused unread.
 */
export const MESSAGE_CIPHERTEXT_BYTES = SIGNED_MESSAGE_BYTES + CIPHERTEXT_OVERHEAD

/** Contexts for encryption to the operator, so a ciphertext made for one use is refused by another. */
export const EncryptionContext = { deactivation: 'deactivation', vote: 'vote', sealedShare: 'sealed-share' } as const

export interface PublicParameters {
  operatorPublicKey: PublicKey
  keyCommitment: bigint
  depth: number
  vkeyHashes: { membership: string; leafOpening: string }
  /** The poll's vote options are 0 .. voteOptions - 1; a vote for anything else is ignored. */
  voteOptions: number
}

export interface DeactivationReceipt {
  index: number
  leaf: bigint
  root: bigint
}

export interface Tally {
  /** One entry per defined option, zero counts included, so its shape is fixed by the poll. */
  counts: Record<string, number>
  countedVotes: number
  ignoredVotes: number
}

export interface OperatorStatus {
  signups: number
  deactivations: number
  reactivationAttempts: number
  votes: number
  root: bigint
}

export interface ReactivationSubmission {
  newPublicKey: PublicKey
  membership: ProofWithSignals
  leafOpening: ProofWithSignals
}

export interface ReactivationOutcome {
  attempt: number
  activated: boolean
}

/** Why a reactivation was refused before anything was recorded. */
export type ReactivationRejection =
  | 'MALFORMED'
  | 'KEY_MISMATCH'
  | 'UNKNOWN_ROOT'
  | 'NULLIFIER_USED'
  | 'LINK_USED'
  | 'BAD_MEMBERSHIP_PROOF'

export class ReactivationRejected extends Error {
  constructor(
    readonly code: ReactivationRejection,
    message: string,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ReactivationRejected'
  }
}

export class OperatorError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OperatorError'
  }
}

/**
 * Why a deactivation or vote was refused openly, with nothing recorded. Each reason is a
 * fact the sender knows or anyone can check (DESIGN 2.5, "no free leaves"): whether its own
 * ciphertext opens, and whether its key is in the public signup list or is the new key of a
 * public reactivation attempt. Nothing about a key's activity is among them.
 */
export type MessageRefusal = 'BAD_LENGTH' | 'UNDECRYPTABLE' | 'UNKNOWN_KEY'

export class MessageRefused extends OperatorError {
  constructor(
    readonly code: MessageRefusal,
    message: string,
  ) {
    super(`${code}: ${message}`)
    this.name = 'MessageRefused'
  }
}

/** The leaf key and the operator's decryption key. Held in memory, never logged or sent. */
export interface OperatorSecrets {
  privateKey: Uint8Array
  leafKey: bigint
  leafKeyBlinding: bigint
}

interface StoredParameters {
  operatorPublicKey: string
  keyCommitment: string
  depth: number
  vkeyHashes: { membership: string; leafOpening: string }
  voteOptions: number
}

interface StoredSecrets {
  privateKey: string
  leafKey: string
  leafKeyBlinding: string
}

export interface PublicAttempt {
  nullifier: string
  link: string
  membership: ProofWithSignals
}

export interface PrivateAttempt {
  newPublicKey: string
  leafOpening: ProofWithSignals
  activated: boolean
}

/** Membership public signals, in the circuit's order. */
const MEMBERSHIP_SIGNALS = { root: 0, nullifier: 1, newKeyHash: 2, link: 3 } as const
/** Leaf-opening public signals, in the circuit's order. */
const LEAF_OPENING_SIGNALS = { link: 0, keyCommitment: 1 } as const

export class Operator {
  private readonly tree: IncrementalMerkleTree
  private readonly roots: bigint[]
  private readonly rootSet: Set<bigint>
  /** Encoded (hex), decoded only when served: a restart reads 100k of them. */
  private readonly rootSignatures: string[]
  /** As stored (publicKeyToString), parsed only when served. */
  private readonly signedUp: string[]
  private readonly signedUpHashes: Set<bigint>
  /** New keys of recorded reactivation attempts: public, as each membership proof's newKeyHash. */
  private readonly attemptedKeyHashes: Set<bigint>
  private readonly activeKeys: Set<bigint>
  /** Base64, as stored; decoded only when served. */
  private readonly deactivations: string[]
  /** Where each deactivation ciphertext sits in the log (base64), so a replay is answered, not appended. */
  private readonly deactivationIndex: Map<string, number>
  /** Base64, as stored; decoded at tally time. */
  private readonly votes: string[]
  private readonly nullifiers: Set<bigint>
  private readonly links: Set<bigint>
  private attempts: number
  private queue: Promise<unknown> = Promise.resolve()
  private readonly opener: MessageOpener

  private constructor(
    private readonly store: OperatorStore,
    private readonly parameters: PublicParameters,
    private readonly secrets: OperatorSecrets,
    state: {
      tree: IncrementalMerkleTree
      roots: bigint[]
      rootSignatures: string[]
      signedUp: string[]
      signedUpHashes: bigint[]
      attemptedKeyHashes: bigint[]
      activeKeys: bigint[]
      deactivations: string[]
      votes: string[]
      nullifiers: bigint[]
      links: bigint[]
      attempts: number
    },
    openerFor: MessageOpenerFactory,
  ) {
    this.opener = openerFor(secrets.privateKey)
    this.tree = state.tree
    this.roots = state.roots
    this.rootSet = new Set(state.roots)
    this.rootSignatures = state.rootSignatures
    this.signedUp = state.signedUp
    this.signedUpHashes = new Set(state.signedUpHashes)
    this.attemptedKeyHashes = new Set(state.attemptedKeyHashes)
    this.activeKeys = new Set(state.activeKeys)
    this.deactivations = state.deactivations
    this.deactivationIndex = new Map(state.deactivations.map((ciphertext, index) => [ciphertext, index]))
    this.votes = state.votes
    this.nullifiers = new Set(state.nullifiers)
    this.links = new Set(state.links)
    this.attempts = state.attempts
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
    await mkdir(directory, { recursive: true })
    const store = await OperatorStore.open(directory)
    try {
      if ((await store.get('meta/params')) !== undefined) throw new OperatorError(`${directory} is already initialised`)
      const keypair = generateKeypair()
      const leafKey = randomFieldElement()
      const leafKeyBlinding = randomFieldElement()
      const parameters: PublicParameters = {
        operatorPublicKey: keypair.publicKey,
        keyCommitment: poseidon([leafKey, leafKeyBlinding]),
        depth,
        vkeyHashes: releaseVerificationKeyHashes(),
        voteOptions,
      }
      const secrets: StoredSecrets = {
        privateKey: Buffer.from(keypair.privateKey).toString('hex'),
        leafKey: leafKey.toString(),
        leafKeyBlinding: leafKeyBlinding.toString(),
      }
      await store.batch([
        { type: 'put', key: 'meta/params', value: JSON.stringify(storeParameters(parameters)) },
        { type: 'put', key: 'secret/operator', value: JSON.stringify(secrets) },
      ])
      return parameters
    } finally {
      await store.close()
    }
  }

  /**
   * `messageOpener` makes what opens deactivations and votes: in this thread by default;
   * the daemon passes workerMessageOpener (src/daemon/message-opener.ts).
   */
  static async open(directory: string, options: { messageOpener?: MessageOpenerFactory } = {}): Promise<Operator> {
    const store = await OperatorStore.open(directory)
    try {
      const storedParameters = await store.get('meta/params')
      const storedSecrets = await store.get('secret/operator')
      if (storedParameters === undefined || storedSecrets === undefined) {
        throw new OperatorError(`${directory} is not an initialised operator directory (run "operator init")`)
      }
      const parameters = loadParameters(JSON.parse(storedParameters) as StoredParameters)
      const secrets = JSON.parse(storedSecrets) as StoredSecrets
      const [leaves, roots, rootSignatures, signups, keyHashes, frontier, active, deactivations, votes, nullifiers, links, attempts] = await Promise.all([
        store.list('leaf'),
        store.list('root'),
        store.list('rootsig'),
        store.list('signup'),
        store.list('keyhash'),
        store.get('meta/frontier'),
        store.entries('active'),
        store.list('deactivation'),
        store.list('vote'),
        store.entries('nullifier'),
        store.entries('link'),
        store.list('attempt'),
      ])
      const leafValues = leaves.map(BigInt)
      // Directories written before the frontier and the signup hashes were stored get them
      // once, here, in one batch: the full rebuild and the hashing are what made a restart
      // take minutes at 100k voters.
      const tree =
        frontier === undefined
          ? IncrementalMerkleTree.fromLeaves(parameters.depth, leafValues)
          : IncrementalMerkleTree.fromFrontier(parameters.depth, leafValues, decodeFrontier(frontier))
      const missingHashes = signups.slice(keyHashes.length).map((key) => hashPublicKey(publicKeyFromString(key)).toString())
      const upgrade = [
        ...(frontier === undefined && leafValues.length > 0 ? [{ type: 'put' as const, key: 'meta/frontier', value: encodeFrontier(tree.frontier()) }] : []),
        ...missingHashes.map((hash, i) => ({ type: 'put' as const, key: indexKey('keyhash', keyHashes.length + i), value: hash })),
      ]
      if (upgrade.length > 0) await store.batch(upgrade)
      return new Operator(
        store,
        parameters,
        {
          privateKey: Uint8Array.from(Buffer.from(secrets.privateKey, 'hex')),
          leafKey: BigInt(secrets.leafKey),
          leafKeyBlinding: BigInt(secrets.leafKeyBlinding),
        },
        {
          tree,
          roots: roots.map(BigInt),
          rootSignatures,
          signedUp: signups,
          signedUpHashes: [...keyHashes, ...missingHashes].map(BigInt),
          attemptedKeyHashes: attempts.map((record) => BigInt((JSON.parse(record) as PublicAttempt).membership.publicSignals[MEMBERSHIP_SIGNALS.newKeyHash])),
          // Every key that ever held a slot keeps its entry; '1' marks the active ones.
          activeKeys: active.filter(([, flag]) => flag === ACTIVE).map(([key]) => BigInt(key)),
          deactivations,
          votes,
          nullifiers: nullifiers.map(([key]) => BigInt(key)),
          links: links.map(([key]) => BigInt(key)),
          attempts: attempts.length,
        },
        options.messageOpener ?? inThreadMessageOpener,
      )
    } catch (error) {
      await store.close()
      throw error
    }
  }

  async close(): Promise<void> {
    await this.queue
    await this.opener.close()
    await this.store.close()
  }

  publicParameters(): PublicParameters {
    return this.parameters
  }

  /** For the reactivation 2PC's operator side only: K and kappa are its private inputs. */
  leafKeySecrets(): { leafKey: bigint; leafKeyBlinding: bigint } {
    return { leafKey: this.secrets.leafKey, leafKeyBlinding: this.secrets.leafKeyBlinding }
  }

  /** Opens a ciphertext sealed to the operator's public key (throws DecryptionError). */
  decrypt(ciphertext: Uint8Array, context: string): Uint8Array {
    return decryptWith(this.secrets.privateKey, ciphertext, context)
  }

  async signup(publicKey: PublicKey): Promise<{ stateIndex: number }> {
    // The curve and subgroup checks and the hash depend on the key alone, so they run
    // before the queue, not while every other call waits.
    if (!isOnCurve(publicKey)) throw new OperatorError('public key is not on BabyJubJub')
    const keyHash = hashPublicKey(publicKey)
    const encoded = publicKeyToString(publicKey)
    return this.serialized(async () => {
      if (this.signedUpHashes.has(keyHash)) throw new OperatorError('public key is already signed up')
      const stateIndex = this.signedUp.length
      await this.store.batch([
        { type: 'put', key: indexKey('signup', stateIndex), value: encoded },
        { type: 'put', key: indexKey('keyhash', stateIndex), value: keyHash.toString() },
        { type: 'put', key: `active/${keyHash}`, value: ACTIVE },
      ])
      this.signedUp.push(encoded)
      this.signedUpHashes.add(keyHash)
      this.activeKeys.add(keyHash)
      return { stateIndex }
    })
  }

  /**
   * DESIGN 2.2 and 2.5. A ciphertext of the wrong length, one that does not open, or one
   * whose key is unknown is refused openly (MessageRefused): the sender knows all three.
   * For a known key the work is the same whatever the key's state: the signature is
   * verified, both the real leaf H(K, c, i) and a random leaf are computed, the chosen one
   * is inserted and its root signed, and one batch of the same shape is written. A valid
   * signature by an active key takes the real leaf and deactivates the key; anything else
   * takes the random one. The receipt has the same form either way.
   *
   * A ciphertext already in the log gets its original receipt and changes nothing. The log
   * is public, so this tells nobody anything; it makes a voter's re-send after a lost reply
   * safe, and stops anyone from replaying logged ciphertexts into junk leaves.
   */
  async submitDeactivation(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    const encoded = toBase64(ciphertext)
    const replayed = this.replayedReceipt(encoded)
    if (replayed !== undefined) return replayed
    // Opening and verifying depend on the ciphertext alone (the known-key sets only grow),
    // so they run before the queue; the key's state is read only inside it.
    const { message, keyHash, signatureValid } = await this.openKnownMessage(ciphertext, EncryptionContext.deactivation, true)
    return this.serialized(async () => {
      // Checked again: the same ciphertext may have been in flight twice.
      const logged = this.replayedReceipt(encoded)
      if (logged !== undefined) return logged
      const wasActive = this.activeKeys.has(keyHash)
      const valid = signatureValid && message.kind === MessageKind.deactivate && wasActive
      const leafIndex = this.tree.size
      const realLeaf = realLeafOf(this.secrets.leafKey, message.payload, leafIndex)
      const randomLeaf = randomFieldElement()
      const leaf = valid ? realLeaf : randomLeaf
      const index = this.deactivations.length
      const pending = this.tree.prepareInsert(leaf)
      const signedRoot = Buffer.from(encodeSignedRoot(signRoot(this.secrets.privateKey, leafIndex + 1, pending.root))).toString('hex')
      const stillActive = wasActive && !valid
      await this.store.batch([
        { type: 'put', key: indexKey('deactivation', index), value: encoded },
        { type: 'put', key: indexKey('leaf', leafIndex), value: leaf.toString() },
        { type: 'put', key: indexKey('root', leafIndex), value: pending.root.toString() },
        { type: 'put', key: indexKey('rootsig', leafIndex), value: signedRoot },
        // What a restart needs to append without rebuilding the tree from every leaf.
        { type: 'put', key: 'meta/frontier', value: encodeFrontier(pending.frontier) },
        // Written on every path, so the batch has one shape whatever the key's state.
        { type: 'put', key: `active/${keyHash}`, value: stillActive ? ACTIVE : INACTIVE },
      ])
      this.deactivations.push(encoded)
      this.deactivationIndex.set(encoded, index)
      this.tree.commitInsert(pending)
      this.roots.push(pending.root)
      this.rootSet.add(pending.root)
      this.rootSignatures.push(signedRoot)
      if (!stillActive) this.activeKeys.delete(keyHash)
      return { index: leafIndex, leaf, root: pending.root }
    })
  }

  /** The receipt of a ciphertext already in the deactivation log, if it is. */
  private replayedReceipt(encoded: string): DeactivationReceipt | undefined {
    const logged = this.deactivationIndex.get(encoded)
    return logged === undefined ? undefined : { index: logged, leaf: this.tree.leaves[logged], root: this.roots[logged] }
  }

  /**
   * Votes are logged as they come and judged at tally time, against the active set then.
   * Refused openly, like deactivations, when the ciphertext has the wrong length, does not
   * open, or carries an unknown key; whether the key is active is never looked at here.
   */
  async submitVote(ciphertext: Uint8Array): Promise<{ index: number }> {
    // Votes are judged, signature included, at tally time.
    await this.openKnownMessage(ciphertext, EncryptionContext.vote, false)
    const encoded = toBase64(ciphertext)
    return this.serialized(async () => {
      const index = this.votes.length
      await this.store.batch([{ type: 'put', key: indexKey('vote', index), value: encoded }])
      this.votes.push(encoded)
      return { index }
    })
  }

  /**
   * The gate before any 2PC work (DESIGN 2.5, "bounded sessions"): the membership proof a
   * voter opens a session with must be usable (well formed, a known root, unused N and L)
   * and must verify. Every check is on public data or on the voter's own proof, so a
   * refusal tells an honest voter nothing. Changes nothing.
   */
  async admitReactivation(membership: ProofWithSignals): Promise<{ nullifier: bigint; link: bigint; newKeyHash: bigint; root: bigint }> {
    const signals = this.checkMembershipSignals(membership)
    if (!(await verifyProof('membership', membership))) {
      throw new ReactivationRejected('BAD_MEMBERSHIP_PROOF', 'membership proof does not verify')
    }
    return signals
  }

  /**
   * DESIGN 2.3 step 4 and 2.5 ("constant work"). Refuses, with nothing recorded, a
   * submission whose membership side is unusable (the checks of admitReactivation, which
   * an honest voter always passes). Past that point the work does not depend on the active
   * set, on K or on the outcome: the leaf-opening proof is always verified, every
   * condition is evaluated, and one batch of one shape records the attempt, N and L; the
   * new key becomes active only if everything held.
   */
  async acceptReactivation(submission: ReactivationSubmission): Promise<ReactivationOutcome> {
    const leafOpening = parseSignals(submission.leafOpening, verificationKey('leaf_opening').nPublic)
    if (!isOnCurve(submission.newPublicKey)) throw new ReactivationRejected('MALFORMED', 'new key is not on BabyJubJub')
    const newKeyHash = hashPublicKey(submission.newPublicKey)
    const { nullifier, link, newKeyHash: boundKeyHash } = await this.admitReactivation(submission.membership)
    if (boundKeyHash !== newKeyHash) throw new ReactivationRejected('KEY_MISMATCH', 'the membership proof is bound to another key')
    // Both proofs are verified before the queue (tens of milliseconds each, during which no
    // deactivation could otherwise land); the verdict depends on the proof alone.
    const leafOpeningVerifies = await verifyProof('leaf_opening', submission.leafOpening)
    return this.serialized(async () => {
      // Again under the queue: another attempt may have spent N or L meanwhile.
      this.checkMembershipSignals(submission.membership)
      // Every condition is evaluated into a value, none guards another: which one fails
      // must not change the work done.
      const checks = [
        leafOpening[LEAF_OPENING_SIGNALS.link] === link,
        leafOpening[LEAF_OPENING_SIGNALS.keyCommitment] === this.parameters.keyCommitment,
        leafOpeningVerifies,
      ]
      const wasActive = this.activeKeys.has(newKeyHash)
      const activated = checks.every(Boolean) && !wasActive
      const attempt = this.attempts
      const publicRecord: PublicAttempt = { nullifier: nullifier.toString(), link: link.toString(), membership: submission.membership }
      const privateRecord: PrivateAttempt = {
        newPublicKey: publicKeyToString(submission.newPublicKey),
        leafOpening: submission.leafOpening,
        activated,
      }
      await this.store.batch([
        { type: 'put', key: indexKey('attempt', attempt), value: JSON.stringify(publicRecord) },
        { type: 'put', key: indexKey('attempt-private', attempt), value: JSON.stringify(privateRecord) },
        { type: 'put', key: `nullifier/${nullifier}`, value: String(attempt) },
        { type: 'put', key: `link/${link}`, value: String(attempt) },
        // Written on every path, so the batch has one shape whatever the outcome.
        { type: 'put', key: `active/${newKeyHash}`, value: activated || wasActive ? ACTIVE : INACTIVE },
      ])
      this.attempts++
      this.nullifiers.add(nullifier)
      this.links.add(link)
      this.attemptedKeyHashes.add(newKeyHash)
      if (activated) this.activeKeys.add(newKeyHash)
      return { attempt, activated }
    })
  }

  isNullifierUsed(nullifier: bigint): boolean {
    return this.nullifiers.has(nullifier)
  }

  /** The full record of one reactivation attempt, public and private parts. Operator-only. */
  async reactivationRecord(attempt: number): Promise<PublicAttempt & PrivateAttempt> {
    const [publicRecord, privateRecord] = await Promise.all([
      this.store.get(indexKey('attempt', attempt)),
      this.store.get(indexKey('attempt-private', attempt)),
    ])
    if (publicRecord === undefined || privateRecord === undefined) throw new OperatorError(`no reactivation attempt ${attempt}`)
    return { ...(JSON.parse(publicRecord) as PublicAttempt), ...(JSON.parse(privateRecord) as PrivateAttempt) }
  }

  isLinkUsed(link: bigint): boolean {
    return this.links.has(link)
  }

  /** Whether a key may vote now. Private to the operator: never served over the network. */
  isActive(publicKey: PublicKey): boolean {
    return this.activeKeys.has(hashPublicKey(publicKey))
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
    return this.deactivations.slice(from, to).map(fromBase64)
  }

  signups(from: number, to: number): PublicKey[] {
    return this.signedUp.slice(from, to).map(publicKeyFromString)
  }

  private signedRootAt(index: number): SignedRoot {
    return decodeSignedRoot(Buffer.from(this.rootSignatures[index], 'hex'), index + 1)
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

  /**
   * Counts, for every key active now, its latest valid vote, over the poll's options only.
   * Votes from keys that were deactivated, from keys never active, with bad signatures or
   * superseded are ignored, as MACI ignores votes under a changed key. A vote for an option
   * the poll does not define is ignored too, so a briber cannot give each bought key its own
   * option and read the keys' fate off the tally (DESIGN 2.5, "fixed options").
   */
  tally(): Promise<Tally> {
    // Serialized: the judging below awaits worker threads, and no vote or deactivation may land meanwhile.
    return this.serialized(async () => {
      const latest = new Map<bigint, bigint>()
      // Decryption and verification, the costly part, run on every core (src/daemon/vote-opening.ts).
      for (const vote of await judgeVotes(this.secrets.privateKey, this.votes.map(fromBase64), EncryptionContext.vote)) {
        if (vote === undefined || !this.activeKeys.has(vote.keyHash)) continue
        // A later vote for an undefined option still supersedes: the key's last word is what counts.
        latest.set(vote.keyHash, vote.option)
      }
      const counts: Record<string, number> = {}
      for (let option = 0; option < this.parameters.voteOptions; option++) counts[String(option)] = 0
      let counted = 0
      for (const option of latest.values()) {
        if (option >= BigInt(this.parameters.voteOptions)) continue
        counts[option.toString()]++
        counted++
      }
      return { counts, countedVotes: counted, ignoredVotes: this.votes.length - counted }
    })
  }

  /**
   * DESIGN P4: writes, for every activated key, the two proofs with their public signals
   * and verification keys, as files that `snarkjs groth16 verify` takes unchanged, and
   * beside them what `maci-anon audit` checks them against: the public parameters and the
   * root history. Returns how many activations were exported.
   */
  async exportProofs(directory: string): Promise<number> {
    await this.queue
    const publicRecords = await this.store.list('attempt')
    const privateRecords = await this.store.list('attempt-private')
    await mkdir(directory, { recursive: true })
    await writeFile(join(directory, 'parameters.json'), `${JSON.stringify(storeParameters(this.parameters), null, 2)}\n`)
    await writeFile(join(directory, 'roots.json'), `${JSON.stringify(this.roots.map(String), null, 2)}\n`)
    let exported = 0
    for (let attempt = 0; attempt < publicRecords.length; attempt++) {
      const publicRecord = JSON.parse(publicRecords[attempt]) as PublicAttempt
      const privateRecord = JSON.parse(privateRecords[attempt]) as PrivateAttempt
      if (!privateRecord.activated) continue
      const target = join(directory, `activation-${attempt}`)
      await mkdir(target, { recursive: true })
      await writeProofFiles(target, 'membership', publicRecord.membership)
      await writeProofFiles(target, 'leaf_opening', privateRecord.leafOpening)
      exported++
    }
    return exported
  }

  private checkMembershipSignals(membership: ProofWithSignals): { nullifier: bigint; link: bigint; newKeyHash: bigint; root: bigint } {
    const signals = parseSignals(membership, verificationKey('membership').nPublic)
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

  /** A message from a known key, or MessageRefused for what its sender can know is wrong with it. */
  private async openKnownMessage(ciphertext: Uint8Array, context: string, verify: boolean): Promise<OpenedMessage> {
    if (ciphertext.length !== MESSAGE_CIPHERTEXT_BYTES) {
      throw new MessageRefused('BAD_LENGTH', `a message ciphertext is ${MESSAGE_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`)
    }
    const opened = await this.opener.open(ciphertext, context, verify)
    if (opened === undefined) throw new MessageRefused('UNDECRYPTABLE', 'the ciphertext does not open under the operator key')
    if (!this.signedUpHashes.has(opened.keyHash) && !this.attemptedKeyHashes.has(opened.keyHash)) {
      throw new MessageRefused('UNKNOWN_KEY', 'the key is neither signed up nor the new key of a reactivation attempt')
    }
    return opened
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}

const ACTIVE = '1'
const INACTIVE = '0'

function parseSignals(proof: ProofWithSignals, count: number): bigint[] {
  if (typeof proof !== 'object' || proof === null || !Array.isArray(proof.publicSignals) || proof.publicSignals.length !== count) {
    throw new ReactivationRejected('MALFORMED', `expected ${count} public signals`)
  }
  try {
    return proof.publicSignals.map((signal) => fieldFromDecimal(String(signal)))
  } catch (error) {
    throw new ReactivationRejected('MALFORMED', (error as Error).message)
  }
}

function storeParameters(parameters: PublicParameters): StoredParameters {
  return {
    operatorPublicKey: publicKeyToString(parameters.operatorPublicKey),
    keyCommitment: parameters.keyCommitment.toString(),
    depth: parameters.depth,
    vkeyHashes: parameters.vkeyHashes,
    voteOptions: parameters.voteOptions,
  }
}

function loadParameters(stored: StoredParameters): PublicParameters {
  return {
    operatorPublicKey: publicKeyFromString(stored.operatorPublicKey),
    keyCommitment: BigInt(stored.keyCommitment),
    depth: stored.depth,
    vkeyHashes: stored.vkeyHashes,
    voteOptions: stored.voteOptions,
  }
}

/** The frontier as stored: one decimal string per level, null where the level holds no node. */
function encodeFrontier(frontier: MerkleFrontier): string {
  return JSON.stringify(frontier.map((node) => (node === undefined ? null : node.toString())))
}

function decodeFrontier(stored: string): MerkleFrontier {
  return (JSON.parse(stored) as Array<string | null>).map((node) => (node === null ? undefined : BigInt(node)))
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const fromBase64 = (text: string) => Uint8Array.from(Buffer.from(text, 'base64'))
