/**
 * The replica daemon: follows the operator's public data over the sync protocol, verifies
 * it (replica-mirror.ts), keeps it in LevelDB, and serves sync and status to anyone, so
 * voters fetch the leaf list without asking the operator.
 *
 * Each round it also compares the signed roots it holds with the operator's current answer
 * and with every peer replica's (`peerReplicas`). An equivocation (two validly signed roots
 * for one tree size) is stored, written to `<dataDir>/equivocation-<size>.json` for anyone
 * to check, logged at error level and counted in `maci_anon_replica_equivocations`; from
 * then on the replica serves no roots, so voters that cross-check with it stop.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Gauge } from 'prom-client'
import type { SignedRoot } from '../crypto/root-signature.js'
import { ChannelError } from '../mpc/channel.js'
import { ProtocolError } from '../protocol/errors.js'
import { SYNC_RANGE_ITEMS } from '../protocol/ids.js'
import { statusService } from '../protocol/status.js'
import { SyncClient, syncService } from '../protocol/sync.js'
import { isReleaseVerificationKeys } from '../zk/artifacts.js'
import { ConfigError, type Config } from './config.js'
import { DaemonHost } from './host.js'
import type { Logger } from './logger.js'
import { dataPaths } from './paths.js'
import { InconsistentDataError, ReplicaMirror, serializeProof, type EquivocationProof } from './replica-mirror.js'
import { VERSION } from './version.js'

/** Entries fetched per round trip while catching up. */
const BATCH = Math.min(SYNC_RANGE_ITEMS.leaves, SYNC_RANGE_ITEMS.roots, SYNC_RANGE_ITEMS.log)

export class ReplicaService {
  private timer: NodeJS.Timeout | undefined
  private round: Promise<void> = Promise.resolve()
  private stopped = false
  /** Per peer replica, how many positions were already compared and agreed (histories only grow). */
  private readonly compared = new Map<string, number>()

  private constructor(
    readonly mirror: ReplicaMirror,
    readonly host: DaemonHost,
    private readonly operator: Multiaddr,
    private readonly peers: Multiaddr[],
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** `onFatal` hears of failures a retry cannot fix (the mirror's own storage failing). */
  static async start(config: Config, logger: Logger, onFatal: (error: Error) => void): Promise<ReplicaService> {
    if (config.operatorAddress === undefined) throw new ConfigError('a replica needs operatorAddress')
    const operator = multiaddr(config.operatorAddress)
    const peers = config.peerReplicas.map((address) => multiaddr(address))
    const mirror = await ReplicaMirror.open(dataPaths(config.dataDir).replicaMirror)
    try {
      const host = await DaemonHost.start({
        role: 'replica',
        config,
        logger,
        services: [
          syncService(mirror),
          statusService({
            status: () => ({ role: 'replica', version: VERSION, leaves: mirror.size, root: mirror.root ?? 0n }),
          }),
        ],
        stateSizes: () => ({ leaves: mirror.size, deactivations: mirror.size }),
      })
      new Gauge({
        name: 'maci_anon_replica_equivocations',
        help: 'Proofs held that the operator signed two different roots for one tree size; above 0, no roots are served.',
        registers: [host.metrics.registry],
        collect() {
          this.set(mirror.equivocations.length)
        },
      })
      const service = new ReplicaService(mirror, host, operator, peers, config, logger, onFatal)
      for (const proof of mirror.equivocations) service.reportEquivocation(proof)
      service.schedule(0)
      return service
    } catch (error) {
      await mirror.close()
      throw error
    }
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.round
    await this.host.stop(graceMs)
    await this.mirror.close()
    this.logger.info('stopped')
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.round = this.follow()
        .then(() => this.compareWithPeers())
        .finally(() => this.schedule(this.config.syncIntervalMs))
    }, delayMs)
  }

  /** One round: catch up with the operator's head. Failures are logged; the next round retries. */
  private async follow(): Promise<void> {
    let client: SyncClient | undefined
    try {
      client = await SyncClient.open(this.host.node, this.operator)
      const params = await client.parameters()
      if (!isReleaseVerificationKeys(params.vkeyHashes)) {
        // Mirroring them would lend a replica's independence to vkeys of the operator's own making.
        throw new InconsistentDataError("the operator publishes verification keys that are not this release's")
      }
      await this.mirror.adoptParameters(params)
      const head = await client.head()
      if (head.leaves < this.mirror.size) {
        throw new InconsistentDataError(`the operator reports ${head.leaves} leaves, fewer than the ${this.mirror.size} mirrored`)
      }
      const before = this.mirror.size
      while (this.mirror.size < head.leaves && !this.stopped) {
        const from = this.mirror.size
        const to = Math.min(head.leaves, from + BATCH)
        const [leaves, roots, log] = [await client.leaves(from, to), await client.roots(from, to), await client.log(from, to)]
        await this.mirror.append({ leaves, roots, log })
      }
      // The operator's current signature for the newest size held must name the same root.
      if (this.mirror.size > 0) {
        const [signed] = await client.roots(this.mirror.size - 1, this.mirror.size)
        await this.compare(signed, 'operator')
      }
      if (this.mirror.size === head.leaves && this.mirror.root !== head.root) {
        throw new InconsistentDataError('the mirrored leaves do not produce the operator’s current root')
      }
      this.host.metrics.replicaRounds.inc({ outcome: 'ok' })
      if (this.mirror.size > before) this.logger.info({ from: before, to: this.mirror.size }, 'mirrored new entries')
    } catch (error) {
      if (error instanceof InconsistentDataError) {
        this.host.metrics.replicaRounds.inc({ outcome: 'inconsistent' })
        this.logger.error({ detail: error.message }, 'refused inconsistent data from the operator')
      } else if (error instanceof ChannelError || error instanceof ProtocolError) {
        this.host.metrics.replicaRounds.inc({ outcome: 'unreachable' })
        this.logger.warn({ detail: error.message }, 'cannot sync from the operator')
      } else {
        this.failFatally(error as Error)
      }
    } finally {
      await client?.close()
    }
  }

  /** A failure no retry can fix (the mirror's own storage): stop following and tell the daemon. */
  private failFatally(error: Error): void {
    this.stopped = true
    this.logger.fatal({ detail: error.message }, 'replica failed')
    this.onFatal(error)
  }

  /**
   * Fetch each peer's signed roots for the positions both hold and not compared yet. A peer
   * that is unreachable or serves unsigned roots is logged and skipped: it cannot forge the
   * operator's signature, so it can only withhold a comparison, never fake an equivocation.
   */
  private async compareWithPeers(): Promise<void> {
    for (const peer of this.peers) {
      if (this.stopped) return
      const name = peer.toString()
      let client: SyncClient | undefined
      try {
        client = await SyncClient.open(this.host.node, peer)
        const head = await client.head()
        const common = Math.min(head.roots, this.mirror.size)
        let next = Math.min(this.compared.get(name) ?? 0, common)
        while (next < common && !this.stopped) {
          const to = Math.min(common, next + BATCH)
          for (const signed of await client.roots(next, to)) await this.compare(signed, name)
          next = to
        }
        this.compared.set(name, next)
      } catch (error) {
        if (error instanceof InconsistentDataError || error instanceof ChannelError || error instanceof ProtocolError) {
          this.logger.warn({ replica: name, detail: error.message }, 'cannot compare roots with a peer replica')
        } else {
          this.failFatally(error as Error)
        }
      } finally {
        await client?.close()
      }
    }
  }

  /** Once one equivocation is proved the replica serves no roots, so one proof is all it keeps. */
  private async compare(signed: SignedRoot, source: string): Promise<void> {
    if (this.mirror.equivocations.length > 0) return
    const proof = await this.mirror.compare(signed, source)
    if (proof === undefined) return
    this.host.metrics.replicaRounds.inc({ outcome: 'equivocation' })
    // Published beside the database, so anyone can take the proof without speaking sync.
    await writeFile(join(this.config.dataDir, `equivocation-${proof.size}.json`), `${serializeProof(proof)}\n`)
    this.reportEquivocation(proof)
  }

  private reportEquivocation(proof: EquivocationProof): void {
    this.logger.error(
      { size: proof.size, held: proof.held.root.toString(), other: proof.other.root.toString(), source: proof.source },
      'the operator equivocated: two signed roots for one tree size; serving no roots from now on',
    )
  }
}
