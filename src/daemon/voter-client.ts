/**
 * The voter light node: libp2p nodes without listeners that talk to the operator and to
 * replicas. Privacy rules from DESIGN 2.3 and 2.5 live here:
 * - the voter has no persistent identity: every CLI command runs on a fresh one
 *   (`AnonymousClient`, one per command, thrown away afterwards), so no two commands share a
 *   peer ID, and the messages of a reactivated key (votes, its own deactivation) never
 *   arrive from the identity that signed up or deactivated the key it replaced. A
 *   reactivation uses its one for all of its reads (parameters, leaves, signed roots) and
 *   for the 2PC;
 * - the whole leaf list is fetched, never one path (a path reveals the leaf index), from a
 *   replica when one is reachable;
 * - the tree is cross-checked with independent sources before anything is proved against
 *   it: leaves from a replica must produce a root the operator signed for that size, every
 *   configured replica must answer and hold that same signed root (one that is unreachable
 *   or busy stops the voter: skipping it would let whoever keeps it busy decide which
 *   replicas vouch), and leaves from the operator need a replica's signed root for the same
 *   size. With no replica configured, only an explicit `allowSingleSource` lets the voter go
 *   on, since the operator could then hand this voter a fork of its own whose root names it;
 * - the voter's receipts are checked against every list it syncs (`checkReceipts`).
 */
import { randomInt } from 'node:crypto'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PublicKey } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { verifySignedRoot, type SignedRoot } from '../crypto/root-signature.js'
import { MaciAnonError } from '../errors.js'
import type { Channel } from '../mpc/channel.js'
import { ChannelError } from '../mpc/channel.js'
import { ProtocolError, RemoteAbortError } from '../protocol/errors.js'
import { MessageStream } from '../protocol/message.js'
import type { OpenOptions } from '../protocol/client.js'
import { ObservedChannel } from '../protocol/observed-channel.js'
import { openReactivation, runVoterSession } from '../protocol/reactivate.js'
import { ReactivationSessionError } from '../core/reactivation/errors.js'
import type { ReactivationPhase } from '../core/reactivation/options.js'
import type { PreparedReactivation } from '../core/reactivation/voter-session.js'
import { requestSignup } from '../protocol/signup.js'
import { requestStatus, type NodeStatus } from '../protocol/status.js'
import { SyncClient, type SyncHead, type SyncProgress } from '../protocol/sync.js'
import { createNode, ephemeralPeerKey, type Node } from './node.js'
import type { DeactivationReceipt } from '../core/operator-state.js'
import type { PublicParameters } from '../core/parameters.js'
import { sameParameters } from '../core/parameters.js'

export interface VoterEndpoints {
  operator: Multiaddr
  replicas: readonly Multiaddr[]
  /** Deadline for connecting to any of them. */
  dialTimeoutMs?: number
}

/** What the voter's keystore kept of a deactivation receipt. */
export interface StoredReceipt {
  leafIndex: number
  leaf: bigint
  root: bigint
}

/** A leaf list checked against independent sources. */
export interface VerifiedTree {
  leaves: bigint[]
  /** The newest root of the list: the one every voter syncing at this size proves against. */
  root: bigint
  /** The operator's signature on `root` for `leaves.length` leaves. */
  signed: SignedRoot
  /** Where the leaves came from. */
  source: 'replica' | 'operator'
  /** Replicas that hold this very signed root (0 only with allowSingleSource). */
  confirmations: number
}

export interface TreeSyncOptions {
  /** Receipts the list must still hold, unchanged. */
  receipts?: readonly StoredReceipt[]
  /** Leaves the list must hold at least, waiting for lagging replicas as for a receipt. */
  minLeaves?: number
  /** Go on with no replica reachable, on the operator's word alone. */
  allowSingleSource?: boolean
  onProgress?: SyncProgress
  /** Why a replica was waited for or skipped. */
  onNote?: (message: string) => void
  /** How long to wait for a replica that has not mirrored the voter's own leaves yet. */
  replicaAttempts?: number
  replicaRetryMs?: number
}

export interface ReactivationProgress {
  /** A new phase of the session began (membership proof, triples, validity bit, ...). */
  onPhase?: (phase: ReactivationPhase) => void
  /** Messages and bytes exchanged so far. */
  onTraffic?: (stats: Channel['stats']) => void
  /** The operator had no free slot; the session is tried again after `waitMs`. */
  onBusy?: (waitMs: number, reason: string) => void
}

/**
 * How long a reactivation keeps retrying an operator that is busy (UNAVAILABLE at
 * admission, before the hello is read). Longer than the reactivation session deadline
 * (src/protocol/ids.ts, 120 s), so that a slot held by anyone, honest or not, has been
 * freed by then at the latest.
 */
export const BUSY_RETRY_MS = 180_000

/**
 * The wait before retrying a busy operator: an honest session takes seconds, so the voter
 * comes back after 1, 2, 4, then 8 s, jittered by up to half (so that voters turned away
 * together do not return together), and never later than the operator's own bound.
 */
export function busyBackoffMs(attempt: number, retryAfterSeconds: number | undefined): number {
  const base = 1_000 * 2 ** Math.min(attempt, 3)
  const jittered = base / 2 + randomInt(base / 2 + 1)
  return retryAfterSeconds === undefined ? jittered : Math.min(jittered, retryAfterSeconds * 1_000)
}

/** A lagging replica is polled this many times, this far apart, before the voter gives up. */
const REPLICA_ATTEMPTS = 10
const REPLICA_RETRY_MS = 1_000

/** The synced list cannot be used as it is. */
export class LeafListError extends MaciAnonError {
  /** `code` is for the subclasses, each of which names its own reason. */
  constructor(message: string, code = 'LEAF_LIST') {
    super(code, message)
  }
}

/** The list lost or changed a leaf the operator gave this voter a receipt for (issue 8, attack 8). */
export class LostDeactivationError extends LeafListError {
  constructor(
    readonly leafIndex: number,
    readonly reason: 'missing' | 'changed',
    message: string,
  ) {
    super(message, 'LOST_DEACTIVATION')
  }
}

export type SplitViewReason = 'EQUIVOCATION' | 'MISMATCH' | 'BAD_SIGNATURE' | 'PARAMETERS'

/** The sources disagree, or one of them does not carry the operator's word: nothing is proved. */
export class SplitViewError extends LeafListError {
  constructor(
    readonly reason: SplitViewReason,
    message: string,
  ) {
    super(message, 'SPLIT_VIEW')
  }
}

/** No replica could confirm the tree, and the voter did not accept the operator's word alone. */
export class NoIndependentSourceError extends LeafListError {
  constructor(message: string) {
    super(message, 'NO_INDEPENDENT_SOURCE')
  }
}

/**
 * A configured replica did not answer (unreachable, or busy with every slot taken). The
 * voter stops rather than go on with the others: anyone able to keep one replica busy
 * would otherwise choose which replicas vouch for the tree.
 */
export class ReplicaUnavailableError extends LeafListError {
  constructor(
    readonly replica: string,
    cause: Error,
  ) {
    super(
      `replica ${replica} did not answer (${cause.message}); every configured replica must confirm the tree. ` +
        'Retry later, or remove it from replicaAddress if it is gone for good.',
      'REPLICA_UNAVAILABLE',
    )
  }
}

/** Too few leaves follow the voter's own for its reactivation to hide among them. */
export class AnonymitySetError extends LeafListError {
  constructor(
    readonly following: number,
    readonly needed: number,
    message: string,
  ) {
    super(message, 'ANONYMITY_SET')
  }
}

/** Throws AnonymitySetError unless `needed` leaves follow leaf `leafIndex` in a tree of `size` leaves. */
export function checkAnonymitySet(size: number, leafIndex: number, needed: number): void {
  const following = Math.max(0, size - leafIndex - 1)
  if (following >= needed) return
  throw new AnonymitySetError(
    following,
    needed,
    `only ${following} leaves follow yours (leaf ${leafIndex} of ${size}); the anonymity set needs ${needed}. ` +
      'Retry once more voters have deactivated, or lower it with --anonymity-set, MACI_ANON_ANONYMITY_SET or the anonymitySet config key ' +
      '(a smaller set makes your reactivation easier to single out).',
  )
}

/**
 * Throws LostDeactivationError unless every receipt's leaf is still in `leaves`, at its
 * index, under the same history: the prefix up to it must produce the receipt's root. A
 * leaf found nowhere in the list is reported as lost; one moved, or under a changed prefix,
 * as changed.
 */
export function checkReceipts(leaves: readonly bigint[], depth: number, receipts: readonly StoredReceipt[]): void {
  for (const receipt of receipts) {
    const index = receipt.leafIndex
    if (leaves[index] !== receipt.leaf) {
      const found = leaves.indexOf(receipt.leaf)
      if (found < 0) {
        throw new LostDeactivationError(
          index,
          'missing',
          `the synced list (${leaves.length} leaves) has lost your deactivation at leaf index ${index}: its leaf is not in it; refusing the list`,
        )
      }
      throw new LostDeactivationError(
        index,
        'changed',
        `the synced list changed your deactivation at leaf index ${index}: its leaf is at index ${found}; refusing the list`,
      )
    }
    if (IncrementalMerkleTree.fromLeaves(depth, leaves.slice(0, index + 1)).root !== receipt.root) {
      throw new LostDeactivationError(
        index,
        'changed',
        `the synced list changed the leaves up to your deactivation at leaf index ${index}: they no longer produce your receipt's root; refusing the list`,
      )
    }
  }
}

interface ReplicaView {
  address: Multiaddr
  client: SyncClient
  head: SyncHead
}

/** How long stopping a voter's node may wait for its connections to close. */
export const STOP_TIMEOUT_MS = 2_000

/**
 * A fresh libp2p identity used for one CLI command and nothing else, then thrown away: the
 * voter's only kind of identity (see the header).
 */
export class AnonymousClient {
  /** Deactivations and votes share one stream while they follow each other (src/protocol/message.ts). */
  private readonly messages: MessageStream

  private constructor(
    private readonly node: Node,
    private readonly endpoints: VoterEndpoints,
  ) {
    this.messages = new MessageStream(node, endpoints.operator, this.dial)
  }

  static async start(endpoints: VoterEndpoints): Promise<AnonymousClient> {
    const dials = [endpoints.operator, ...endpoints.replicas].map(String)
    const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [], dials })
    return new AnonymousClient(node, endpoints)
  }

  private get dial(): OpenOptions {
    return { dialTimeoutMs: this.endpoints.dialTimeoutMs }
  }

  /**
   * libp2p's stop can wait forever on a connection's close (js-libp2p#2625; Lodestar bounds
   * it the same way, ChainSafe/lodestar#6053). A voter command must end, and a pending
   * promise with no timer or socket left would end the process with Node's exit code 13
   * before the command's own error is printed. So the wait is bounded, by a timer that keeps
   * the process alive until then.
   */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS)
    })
    try {
      await Promise.race([this.messages.close().then(() => this.node.stop()), bound])
    } finally {
      clearTimeout(timer)
    }
  }

  /** The operator's public parameters, from the operator itself: they say whom to encrypt to and whose signatures count. */
  async parameters(): Promise<PublicParameters> {
    return this.withOperatorSync((client) => client.parameters())
  }

  /**
   * The operator's parameters, confirmed by every configured replica, as `syncTree` confirms
   * them (a replica that serves others stops the voter: SplitViewError PARAMETERS). A
   * deactivation pins the KC it was made under, so that KC must be the one everyone sees:
   * one served to this identity alone would mark its reactivation. With no replica: the
   * operator's word.
   */
  async confirmedParameters(): Promise<PublicParameters> {
    const params = await this.parameters()
    const replicas = await this.openReplicas(params)
    await Promise.all(replicas.map((replica) => replica.client.close()))
    return params
  }

  signup(publicKey: PublicKey): Promise<{ stateIndex: number }> {
    return requestSignup(this.node, this.endpoints.operator, publicKey, this.dial)
  }

  deactivate(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    return this.messages.deactivate(ciphertext)
  }

  vote(ciphertext: Uint8Array): Promise<{ index: number }> {
    return this.messages.vote(ciphertext)
  }

  status(): Promise<NodeStatus> {
    return requestStatus(this.node, this.endpoints.operator, this.dial)
  }

  /**
   * The whole leaf list at the size every reachable replica holds, cross-checked (see the
   * header) and checked against the receipts. `params` are the operator's, read by this
   * identity: a replica that serves other parameters is not a source for this poll.
   */
  async syncTree(params: PublicParameters, options: TreeSyncOptions = {}): Promise<VerifiedTree> {
    const replicas = await this.openReplicas(params)
    try {
      return await this.verifiedTree(replicas, params, options)
    } finally {
      await Promise.all(replicas.map((replica) => replica.client.close()))
    }
  }

  private async verifiedTree(replicas: ReplicaView[], params: PublicParameters, options: TreeSyncOptions): Promise<VerifiedTree> {
    const receipts = options.receipts ?? []
    const need = Math.max(options.minLeaves ?? 0, ...receipts.map((receipt) => receipt.leafIndex + 1))
    if (replicas.length === 0 && options.allowSingleSource !== true) {
      throw new NoIndependentSourceError(
        'no replica is configured: the operator alone would vouch for the tree, and it could give you a fork of your own. ' +
          'Configure a replica (replicaAddress, MACI_ANON_REPLICA), or accept that risk with --allow-single-source.',
      )
    }
    await this.waitForReplicas(replicas, need, options)
    const size = replicas.length > 0 ? Math.min(...replicas.map((replica) => replica.head.leaves)) : undefined
    const fetched = await this.fetchLeaves(replicas, size, options)
    if (fetched.leaves.length === 0) throw new LeafListError('the tree is empty: there is nothing to prove membership in')
    const root = IncrementalMerkleTree.fromLeaves(params.depth, fetched.leaves).root
    const vouchers = await this.signedRoots(replicas, fetched, params)
    checkAgreement(vouchers, root, fetched.leaves.length)
    checkReceipts(fetched.leaves, params.depth, receipts)
    return { leaves: fetched.leaves, root, signed: vouchers[0].signed, source: fetched.source, confirmations: replicas.length }
  }

  private async withOperatorSync<T>(task: (client: SyncClient) => Promise<T>): Promise<T> {
    const client = await SyncClient.open(this.node, this.endpoints.operator, this.dial)
    try {
      return await task(client)
    } finally {
      await client.close()
    }
  }

  /**
   * The voter's side of the reactivation 2PC, on this identity, for a reactivation whose
   * membership proof is finished: the hello carries it, and the
   * operator gives the hello only a few seconds from the stream's opening.
   * (prepareVoterReactivation in src/core/reactivation/voter-session.ts starts that proof.)
   */
  async reactivate(prepared: PreparedReactivation, progress: ReactivationProgress = {}): Promise<{ acknowledgement: string }> {
    await prepared.membership
    const giveUpAt = Date.now() + BUSY_RETRY_MS
    for (let attempt = 0; ; attempt++) {
      const stream = await openReactivation(this.node, this.endpoints.operator, this.dial)
      const channel = progress.onTraffic === undefined ? stream : new ObservedChannel(stream, progress.onTraffic)
      try {
        return await runVoterSession(channel, prepared, { onPhase: progress.onPhase })
      } catch (error) {
        // BUSY comes at admission, before the operator reads the hello: it has seen
        // nothing of this reactivation, so the same one may simply come back later.
        if (!(error instanceof ReactivationSessionError) || error.code !== 'BUSY') throw error
        const waitMs = busyBackoffMs(attempt, error.retryAfterSeconds)
        if (Date.now() + waitMs > giveUpAt) throw error
        progress.onBusy?.(waitMs, error.message)
        await new Promise((resolve) => setTimeout(resolve, waitMs))
      } finally {
        await channel.close()
      }
    }
  }

  /** A session with every configured replica, each serving this poll's parameters; any that does not answer stops the voter. */
  private async openReplicas(params: PublicParameters): Promise<ReplicaView[]> {
    const views: ReplicaView[] = []
    try {
      for (const address of this.endpoints.replicas) {
        let client: SyncClient | undefined
        try {
          client = await SyncClient.open(this.node, address, this.dial)
          if (!sameParameters(await client.parameters(), params)) {
            throw new SplitViewError('PARAMETERS', `replica ${address.toString()} serves other parameters than the operator: it mirrors another poll or operator`)
          }
          views.push({ address, client, head: await client.head() })
        } catch (error) {
          await client?.close()
          if (!isUnreachable(error)) throw error
          throw new ReplicaUnavailableError(address.toString(), error as Error)
        }
      }
      return views
    } catch (error) {
      await Promise.all(views.map((view) => view.client.close()))
      throw error
    }
  }

  /** Replicas that have not mirrored the voter's own leaves yet are polled again for a while. */
  private async waitForReplicas(replicas: ReplicaView[], need: number, options: TreeSyncOptions): Promise<void> {
    const attempts = options.replicaAttempts ?? REPLICA_ATTEMPTS
    for (let attempt = 1; replicas.some((replica) => replica.head.leaves < need); attempt++) {
      const least = Math.min(...replicas.map((replica) => replica.head.leaves))
      if (attempt >= attempts) {
        throw new LostDeactivationError(
          need - 1,
          'missing',
          `after ${attempts} tries a replica still holds only ${least} leaves, so it has lost your deactivation at leaf index ${need - 1} ` +
            'or the operator never gave it out; refusing to go on',
        )
      }
      options.onNote?.(`a replica holds ${least} of the ${need} leaves your receipts need; waiting for it`)
      await new Promise((resolve) => setTimeout(resolve, options.replicaRetryMs ?? REPLICA_RETRY_MS))
      for (const replica of replicas) replica.head = await replica.client.head()
    }
  }

  /**
   * Leaves [0, size) from the first replica that serves them, else from the operator. With
   * no replica (size undefined), the operator's whole list.
   */
  private async fetchLeaves(
    replicas: ReplicaView[],
    size: number | undefined,
    options: TreeSyncOptions,
  ): Promise<{ leaves: bigint[]; source: 'replica' | 'operator' }> {
    if (size !== undefined) {
      for (const replica of replicas) {
        try {
          return { leaves: await replica.client.leaves(0, size, options.onProgress), source: 'replica' }
        } catch (error) {
          if (!isUnreachable(error)) throw error
          options.onNote?.(`replica ${replica.address.toString()} did not serve its leaves (${(error as Error).message})`)
          // A failed query ends the sync session; its signed root is still needed, on a new one.
          await replica.client.close()
          replica.client = await SyncClient.open(this.node, replica.address, this.dial)
        }
      }
      options.onNote?.('no replica served its leaves; taking them from the operator, to be confirmed by the replicas')
    }
    const client = await SyncClient.open(this.node, this.endpoints.operator, this.dial)
    try {
      const to = size ?? (await client.head()).leaves
      return { leaves: await client.leaves(0, to, options.onProgress), source: 'operator' }
    } finally {
      await client.close()
    }
  }

  /**
   * The signed root for the list's size from every replica, and from the operator when it
   * served the leaves. Each must carry the operator's signature for exactly that size.
   */
  private async signedRoots(
    replicas: ReplicaView[],
    fetched: { leaves: bigint[]; source: 'replica' | 'operator' },
    params: PublicParameters,
  ): Promise<Voucher[]> {
    const position = fetched.leaves.length - 1
    const vouchers: Voucher[] = []
    const take = async (client: SyncClient, source: string) => {
      let signed: SignedRoot
      try {
        ;[signed] = await client.roots(position, position + 1)
      } catch (error) {
        // A replica that caught the operator equivocating stops serving roots, and says why.
        if (error instanceof RemoteAbortError && error.remoteCode === 'UNAVAILABLE' && /equivocat/.test(error.reason)) {
          throw new SplitViewError('EQUIVOCATION', `${source} serves no roots: ${error.reason}`)
        }
        throw error
      }
      if (signed.size !== position + 1 || !verifySignedRoot(params.operatorPublicKey, signed)) {
        throw new SplitViewError('BAD_SIGNATURE', `${source} served a root for ${position + 1} leaves without the operator's signature`)
      }
      vouchers.push({ source, signed })
    }
    for (const replica of replicas) await take(replica.client, `replica ${replica.address.toString()}`)
    if (fetched.source === 'operator') {
      const client = await SyncClient.open(this.node, this.endpoints.operator, this.dial)
      try {
        await take(client, 'the operator')
      } finally {
        await client.close()
      }
    }
    return vouchers
  }
}

interface Voucher {
  source: string
  signed: SignedRoot
}

/** Every voucher must name the root the leaves produce; two validly signed different roots are an equivocation. */
function checkAgreement(vouchers: Voucher[], root: bigint, size: number): void {
  const matching = vouchers.find((voucher) => voucher.signed.root === root)
  const other = vouchers.find((voucher) => voucher.signed.root !== root)
  if (other === undefined) return
  if (matching !== undefined) {
    throw new SplitViewError(
      'EQUIVOCATION',
      `${matching.source} and ${other.source} hold different roots, both signed by the operator, for ${size} leaves: the operator equivocated`,
    )
  }
  throw new SplitViewError('MISMATCH', `the leaf list does not produce the root ${other.source} holds for ${size} leaves`)
}

function isUnreachable(error: unknown): boolean {
  return error instanceof ChannelError || (error instanceof ProtocolError && error.code !== 'MALFORMED')
}
