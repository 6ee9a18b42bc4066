/**
 * The voter light node: a libp2p node without listeners that talks to the operator and, for
 * the leaf list, to a replica. Privacy rules from DESIGN 2.3 live here:
 * - the whole leaf list is fetched, never one path (a path reveals the leaf index);
 * - it comes from a replica when one is configured, and is checked against the operator's
 *   root history, so the replica cannot feed a forged tree;
 * - each reactivation runs on a fresh libp2p identity used for nothing else.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PublicKey } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import type { Channel } from '../mpc/channel.js'
import { ChannelError } from '../mpc/channel.js'
import { ProtocolError } from '../protocol/errors.js'
import { submitDeactivation, submitVote } from '../protocol/message.js'
import type { OpenOptions } from '../protocol/client.js'
import { ObservedChannel } from '../protocol/observed-channel.js'
import { openReactivation } from '../protocol/reactivate.js'
import type { ReactivationPhase, VoterReactivationInput } from '../protocol/reactivation-session.js'
import { requestSignup } from '../protocol/signup.js'
import { requestStatus, type NodeStatus } from '../protocol/status.js'
import { SyncClient, type SyncProgress } from '../protocol/sync.js'
import { createNode, ephemeralPeerKey, loadOrCreatePeerKey, type Node } from './node.js'
import type { DeactivationReceipt, PublicParameters } from './operator.js'

export interface VoterEndpoints {
  operator: Multiaddr
  replica?: Multiaddr
  /** Deadline for connecting to either. */
  dialTimeoutMs?: number
}

export interface LeafListSync {
  leaves: bigint[]
  root: bigint
  /** Where the list came from; 'operator' only when no replica is configured or reachable. */
  source: 'replica' | 'operator'
}

export interface ReactivationProgress {
  /** A new phase of the session began (membership proof, triples, validity bit, ...). */
  onPhase?: (phase: ReactivationPhase) => void
  /** Messages and bytes exchanged so far. */
  onTraffic?: (stats: Channel['stats']) => void
}

export interface LeafSyncOptions {
  /** Leaves the list must hold (the voter's own leaf index + 1). */
  need?: number
  onProgress?: SyncProgress
  /** Why the replica was waited for or skipped. */
  onNote?: (message: string) => void
}

/** A lagging replica is polled this many times, this far apart, before the operator is asked. */
const REPLICA_ATTEMPTS = 10
const REPLICA_RETRY_MS = 1_000

export class LeafListError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LeafListError'
  }
}

export class VoterClient {
  private constructor(
    private readonly node: Node,
    private readonly endpoints: VoterEndpoints,
  ) {}

  /** A light node with the voter's persistent peer key (created on first use). */
  static async start(endpoints: VoterEndpoints, peerKeyPath: string): Promise<VoterClient> {
    const node = await createNode({ privateKey: await loadOrCreatePeerKey(peerKeyPath), listen: [] })
    return new VoterClient(node, endpoints)
  }

  private get dial(): OpenOptions {
    return { dialTimeoutMs: this.endpoints.dialTimeoutMs }
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }

  /** The operator's public parameters, from the operator itself: they say whom to encrypt to. */
  async parameters(): Promise<PublicParameters> {
    const client = await SyncClient.open(this.node, this.endpoints.operator, this.dial)
    try {
      return await client.parameters()
    } finally {
      await client.close()
    }
  }

  signup(publicKey: PublicKey): Promise<{ stateIndex: number }> {
    return requestSignup(this.node, this.endpoints.operator, publicKey, this.dial)
  }

  deactivate(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    return submitDeactivation(this.node, this.endpoints.operator, ciphertext, this.dial)
  }

  vote(ciphertext: Uint8Array): Promise<{ index: number }> {
    return submitVote(this.node, this.endpoints.operator, ciphertext, this.dial)
  }

  status(): Promise<NodeStatus> {
    return requestStatus(this.node, this.endpoints.operator, this.dial)
  }

  /**
   * The whole leaf list, from the replica when one is configured, checked by recomputing
   * the root: the list must produce the root the operator published for that many leaves.
   * A replica that lags behind `options.need` leaves is waited for, then, like an
   * unreachable one, replaced by the operator.
   */
  async syncLeaves(depth: number, options: LeafSyncOptions = {}): Promise<LeafListSync> {
    const need = options.need ?? 0
    if (this.endpoints.replica !== undefined) {
      for (let attempt = 1; ; attempt++) {
        try {
          const fetched = await this.fetchLeaves(this.endpoints.replica, depth, options.onProgress)
          await this.checkAgainstOperator(fetched)
          if (fetched.leaves.length >= need) return { ...fetched, source: 'replica' }
          if (attempt >= REPLICA_ATTEMPTS) {
            options.onNote?.(`the replica holds ${fetched.leaves.length} of the ${need} leaves needed; syncing from the operator`)
            break
          }
          options.onNote?.(`the replica holds ${fetched.leaves.length} of the ${need} leaves needed; waiting for it`)
          await new Promise((resolve) => setTimeout(resolve, REPLICA_RETRY_MS))
        } catch (error) {
          if (!(error instanceof ChannelError || error instanceof ProtocolError)) throw error
          options.onNote?.(`replica unavailable (${error.message}); syncing from the operator`)
          break
        }
      }
    }
    const fetched = await this.fetchLeaves(this.endpoints.operator, depth, options.onProgress)
    if (fetched.leaves.length < need) {
      throw new LeafListError(`the operator holds ${fetched.leaves.length} leaves; leaf ${need - 1} is not among them`)
    }
    return { ...fetched, source: 'operator' }
  }

  /**
   * Run the voter's side of the reactivation 2PC on a node with a fresh identity, so the
   * session cannot be linked to this voter's signup, deactivation or votes by peer ID.
   */
  async reactivate(input: VoterReactivationInput, progress: ReactivationProgress = {}): Promise<{ acknowledgement: string }> {
    // Loaded here only: the session pulls in the MPC engine and circuit artifacts.
    const { requestReactivation } = await import('../protocol/reactivation-session.js')
    const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [] })
    try {
      const stream = await openReactivation(node, this.endpoints.operator, this.dial)
      const channel = progress.onTraffic === undefined ? stream : new ObservedChannel(stream, progress.onTraffic)
      try {
        return await requestReactivation(channel, input, { onPhase: progress.onPhase })
      } finally {
        await channel.close()
      }
    } finally {
      await node.stop()
    }
  }

  private async fetchLeaves(source: Multiaddr, depth: number, onProgress?: SyncProgress): Promise<{ leaves: bigint[]; root: bigint }> {
    const client = await SyncClient.open(this.node, source, this.dial)
    try {
      const head = await client.head()
      const leaves = await client.leaves(0, head.leaves, onProgress)
      const root = IncrementalMerkleTree.fromLeaves(depth, leaves).root
      if (root !== head.root) throw new LeafListError('the leaf list does not produce the root its server announced')
      return { leaves, root }
    } finally {
      await client.close()
    }
  }

  /** One ROOTS query for the replica's last position: it tells the operator nothing about us. */
  private async checkAgainstOperator(fetched: { leaves: bigint[]; root: bigint }): Promise<void> {
    if (fetched.leaves.length === 0) return
    const client = await SyncClient.open(this.node, this.endpoints.operator, this.dial)
    try {
      const position = fetched.leaves.length - 1
      const [published] = await client.roots(position, position + 1)
      if (published !== fetched.root) {
        throw new LeafListError(`the replica's leaf list does not match the operator's root ${position}`)
      }
    } finally {
      await client.close()
    }
  }
}
