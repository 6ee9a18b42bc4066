/**
 * The operator core (DESIGN 2.1-2.3), free of any transport: the network service in
 * src/daemon/operator-service.ts and the tests call these methods directly. All state lives
 * in an OperatorStore; every method that changes state writes exactly one LevelDB batch,
 * and state-changing calls run one at a time so batches and in-memory state never diverge.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { decryptWith, DecryptionError } from '../crypto/encryption.js'
import { fieldFromDecimal, randomFieldElement } from '../crypto/field.js'
import { generateKeypair, hashPublicKey, isOnCurve, publicKeyFromString, publicKeyToString, type PublicKey } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { poseidon } from '../crypto/poseidon.js'
import { decodeMessage, MessageFormatError, MessageKind, verifyMessage } from '../crypto/signed-message.js'
import { verificationKey, verificationKeyHash } from '../zk/artifacts.js'
import { verifyProof, writeProofFiles, type ProofWithSignals } from '../zk/groth16.js'
import { indexKey, OperatorStore, StoreError, type BatchOperation } from './store.js'

export const DEFAULT_TREE_DEPTH = 20

/** Contexts for encryption to the operator, so a ciphertext made for one use is refused by another. */
export const EncryptionContext = { deactivation: 'deactivation', vote: 'vote', sealedShare: 'sealed-share' } as const

export interface PublicParameters {
  operatorPublicKey: PublicKey
  keyCommitment: bigint
  depth: number
  vkeyHashes: { membership: string; leafOpening: string }
}

export interface DeactivationReceipt {
  index: number
  leaf: bigint
  root: bigint
}

export interface Tally {
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
  private readonly signedUp: PublicKey[]
  private readonly signedUpHashes: Set<bigint>
  private readonly activeKeys: Set<bigint>
  private readonly deactivations: Uint8Array[]
  private readonly votes: Uint8Array[]
  private readonly nullifiers: Set<bigint>
  private readonly links: Set<bigint>
  private attempts: number
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: OperatorStore,
    private readonly parameters: PublicParameters,
    private readonly secrets: OperatorSecrets,
    state: {
      leaves: bigint[]
      roots: bigint[]
      signedUp: PublicKey[]
      activeKeys: bigint[]
      deactivations: Uint8Array[]
      votes: Uint8Array[]
      nullifiers: bigint[]
      links: bigint[]
      attempts: number
    },
  ) {
    this.tree = IncrementalMerkleTree.fromLeaves(parameters.depth, state.leaves)
    this.roots = state.roots
    this.rootSet = new Set(state.roots)
    this.signedUp = state.signedUp
    this.signedUpHashes = new Set(state.signedUp.map(hashPublicKey))
    this.activeKeys = new Set(state.activeKeys)
    this.deactivations = state.deactivations
    this.votes = state.votes
    this.nullifiers = new Set(state.nullifiers)
    this.links = new Set(state.links)
    this.attempts = state.attempts
    if (this.tree.size > 0 && this.tree.root !== this.roots[this.roots.length - 1]) {
      throw new StoreError('the stored root history does not match the stored leaves')
    }
  }

  /**
   * Creates a new operator directory: the operator's encryption key, the leaf key K and its
   * blinding kappa, and the published commitment KC = H(K, kappa).
   */
  static async initialize(directory: string, options: { depth?: number } = {}): Promise<PublicParameters> {
    const depth = options.depth ?? DEFAULT_TREE_DEPTH
    if (depth !== DEFAULT_TREE_DEPTH) {
      throw new OperatorError(`the committed membership circuit has depth ${DEFAULT_TREE_DEPTH}; depth ${depth} has no artifacts`)
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
        vkeyHashes: { membership: verificationKeyHash('membership'), leafOpening: verificationKeyHash('leaf_opening') },
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

  static async open(directory: string): Promise<Operator> {
    const store = await OperatorStore.open(directory)
    try {
      const storedParameters = await store.get('meta/params')
      const storedSecrets = await store.get('secret/operator')
      if (storedParameters === undefined || storedSecrets === undefined) {
        throw new OperatorError(`${directory} is not an initialised operator directory (run "operator init")`)
      }
      const parameters = loadParameters(JSON.parse(storedParameters) as StoredParameters)
      const secrets = JSON.parse(storedSecrets) as StoredSecrets
      const [leaves, roots, signups, active, deactivations, votes, nullifiers, links, attempts] = await Promise.all([
        store.list('leaf'),
        store.list('root'),
        store.list('signup'),
        store.entries('active'),
        store.list('deactivation'),
        store.list('vote'),
        store.entries('nullifier'),
        store.entries('link'),
        store.list('attempt'),
      ])
      return new Operator(
        store,
        parameters,
        {
          privateKey: Uint8Array.from(Buffer.from(secrets.privateKey, 'hex')),
          leafKey: BigInt(secrets.leafKey),
          leafKeyBlinding: BigInt(secrets.leafKeyBlinding),
        },
        {
          leaves: leaves.map(BigInt),
          roots: roots.map(BigInt),
          signedUp: signups.map(publicKeyFromString),
          activeKeys: active.map(([key]) => BigInt(key)),
          deactivations: deactivations.map(fromBase64),
          votes: votes.map(fromBase64),
          nullifiers: nullifiers.map(([key]) => BigInt(key)),
          links: links.map(([key]) => BigInt(key)),
          attempts: attempts.length,
        },
      )
    } catch (error) {
      await store.close()
      throw error
    }
  }

  async close(): Promise<void> {
    await this.queue
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

  signup(publicKey: PublicKey): Promise<{ stateIndex: number }> {
    return this.serialized(async () => {
      if (!isOnCurve(publicKey)) throw new OperatorError('public key is not on BabyJubJub')
      const keyHash = hashPublicKey(publicKey)
      if (this.signedUpHashes.has(keyHash)) throw new OperatorError('public key is already signed up')
      const stateIndex = this.signedUp.length
      await this.store.batch([
        { type: 'put', key: indexKey('signup', stateIndex), value: publicKeyToString(publicKey) },
        { type: 'put', key: `active/${keyHash}`, value: '1' },
      ])
      this.signedUp.push(publicKey)
      this.signedUpHashes.add(keyHash)
      this.activeKeys.add(keyHash)
      return { stateIndex }
    })
  }

  /**
   * DESIGN 2.2. A valid signature by an active key yields leaf H(K, c) and deactivates the
   * key; anything else yields a uniformly random leaf. Both paths decrypt, verify and hash,
   * and the receipt has the same form, so neither its content nor its shape tells them apart.
   */
  submitDeactivation(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    return this.serialized(async () => {
      const message = this.openMessage(ciphertext, EncryptionContext.deactivation)
      const keyHash = message === undefined ? 0n : hashPublicKey(message.publicKey)
      // The signature is checked whether or not the key is active: skipping it for inactive
      // keys would make their receipts faster, and tell a briber holding a key whether it
      // still counts.
      const signatureValid = message !== undefined && verifyMessage(message)
      const valid = signatureValid && message.kind === MessageKind.deactivate && this.activeKeys.has(keyHash)
      const realLeaf = poseidon([this.secrets.leafKey, message?.payload ?? 0n])
      const randomLeaf = randomFieldElement()
      const leaf = valid ? realLeaf : randomLeaf
      const index = this.deactivations.length
      const leafIndex = this.tree.size
      const root = this.tree.rootAfterInsert(leaf)
      const operations: BatchOperation[] = [
        { type: 'put', key: indexKey('deactivation', index), value: toBase64(ciphertext) },
        { type: 'put', key: indexKey('leaf', leafIndex), value: leaf.toString() },
        { type: 'put', key: indexKey('root', leafIndex), value: root.toString() },
      ]
      if (valid) operations.push({ type: 'del', key: `active/${keyHash}` })
      await this.store.batch(operations)
      this.deactivations.push(Uint8Array.from(ciphertext))
      this.tree.insert(leaf)
      this.roots.push(root)
      this.rootSet.add(root)
      if (valid) this.activeKeys.delete(keyHash)
      return { index: leafIndex, leaf, root }
    })
  }

  /** Votes are logged as they come and judged at tally time, against the active set then. */
  submitVote(ciphertext: Uint8Array): Promise<{ index: number }> {
    return this.serialized(async () => {
      const index = this.votes.length
      await this.store.batch([{ type: 'put', key: indexKey('vote', index), value: toBase64(ciphertext) }])
      this.votes.push(Uint8Array.from(ciphertext))
      return { index }
    })
  }

  /**
   * DESIGN 2.3 step 4. Refuses, with nothing recorded, a submission whose membership side is
   * unusable (malformed, unknown root, spent nullifier or link, invalid proof): an honest
   * voter's membership proof is valid whether or not its leaf is real, so refusing these
   * tells an honest voter nothing. Otherwise records the attempt and the nullifier in one
   * batch, and activates the new key only if the leaf-opening proof also verifies.
   */
  acceptReactivation(submission: ReactivationSubmission): Promise<ReactivationOutcome> {
    return this.serialized(async () => {
      const membership = parseSignals(submission.membership, verificationKey('membership').nPublic)
      const leafOpening = parseSignals(submission.leafOpening, verificationKey('leaf_opening').nPublic)
      if (!isOnCurve(submission.newPublicKey)) throw new ReactivationRejected('MALFORMED', 'new key is not on BabyJubJub')
      const newKeyHash = hashPublicKey(submission.newPublicKey)
      const nullifier = membership[MEMBERSHIP_SIGNALS.nullifier]
      const link = membership[MEMBERSHIP_SIGNALS.link]
      if (membership[MEMBERSHIP_SIGNALS.newKeyHash] !== newKeyHash) {
        throw new ReactivationRejected('KEY_MISMATCH', 'the membership proof is bound to another key')
      }
      if (!this.rootSet.has(membership[MEMBERSHIP_SIGNALS.root])) throw new ReactivationRejected('UNKNOWN_ROOT', 'root is not in the root history')
      if (this.nullifiers.has(nullifier)) throw new ReactivationRejected('NULLIFIER_USED', 'nullifier was already used')
      if (this.links.has(link)) throw new ReactivationRejected('LINK_USED', 'link was already used')
      if (!(await verifyProof('membership', submission.membership))) {
        throw new ReactivationRejected('BAD_MEMBERSHIP_PROOF', 'membership proof does not verify')
      }
      const activated =
        leafOpening[LEAF_OPENING_SIGNALS.link] === link &&
        leafOpening[LEAF_OPENING_SIGNALS.keyCommitment] === this.parameters.keyCommitment &&
        !this.activeKeys.has(newKeyHash) &&
        (await verifyProof('leaf_opening', submission.leafOpening))
      const attempt = this.attempts
      const publicRecord: PublicAttempt = { nullifier: nullifier.toString(), link: link.toString(), membership: submission.membership }
      const privateRecord: PrivateAttempt = {
        newPublicKey: publicKeyToString(submission.newPublicKey),
        leafOpening: submission.leafOpening,
        activated,
      }
      const operations: BatchOperation[] = [
        { type: 'put', key: indexKey('attempt', attempt), value: JSON.stringify(publicRecord) },
        { type: 'put', key: indexKey('attempt-private', attempt), value: JSON.stringify(privateRecord) },
        { type: 'put', key: `nullifier/${nullifier}`, value: String(attempt) },
        { type: 'put', key: `link/${link}`, value: String(attempt) },
      ]
      if (activated) operations.push({ type: 'put', key: `active/${newKeyHash}`, value: '1' })
      await this.store.batch(operations)
      this.attempts++
      this.nullifiers.add(nullifier)
      this.links.add(link)
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

  deactivationLog(from: number, to: number): Uint8Array[] {
    return this.deactivations.slice(from, to)
  }

  signups(from: number, to: number): PublicKey[] {
    return this.signedUp.slice(from, to)
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
   * Counts, for every key active now, its latest valid vote. Votes from keys that were
   * deactivated, from keys never active, with bad signatures or superseded are ignored,
   * as MACI ignores votes under a changed key.
   */
  async tally(): Promise<Tally> {
    await this.queue
    const latest = new Map<bigint, bigint>()
    for (const ciphertext of this.votes) {
      const message = this.openMessage(ciphertext, EncryptionContext.vote)
      if (message === undefined || message.kind !== MessageKind.vote || !verifyMessage(message)) continue
      const keyHash = hashPublicKey(message.publicKey)
      if (this.activeKeys.has(keyHash)) latest.set(keyHash, message.payload)
    }
    const counts: Record<string, number> = {}
    for (const option of latest.values()) counts[option.toString()] = (counts[option.toString()] ?? 0) + 1
    return { counts, countedVotes: latest.size, ignoredVotes: this.votes.length - latest.size }
  }

  /**
   * DESIGN P4: writes, for every activated key, the two proofs with their public signals
   * and verification keys, as files that `snarkjs groth16 verify` takes unchanged.
   * Returns how many activations were exported.
   */
  async exportProofs(directory: string): Promise<number> {
    await this.queue
    const publicRecords = await this.store.list('attempt')
    const privateRecords = await this.store.list('attempt-private')
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

  private openMessage(ciphertext: Uint8Array, context: string) {
    try {
      return decodeMessage(decryptWith(this.secrets.privateKey, ciphertext, context))
    } catch (error) {
      if (error instanceof DecryptionError || error instanceof MessageFormatError) return undefined
      throw error
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}

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
  }
}

function loadParameters(stored: StoredParameters): PublicParameters {
  return {
    operatorPublicKey: publicKeyFromString(stored.operatorPublicKey),
    keyCommitment: BigInt(stored.keyCommitment),
    depth: stored.depth,
    vkeyHashes: stored.vkeyHashes,
  }
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const fromBase64 = (text: string) => Uint8Array.from(Buffer.from(text, 'base64'))
