/**
 * The replica daemon: follows the operator's public data over the sync protocol, verifies
 * it (replica-mirror.ts), keeps it in LevelDB, and serves sync and status to anyone, so
 * voters fetch the leaf list without asking the operator.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ChannelError } from '../mpc/channel.js'
import { ProtocolError } from '../protocol/errors.js'
import { SYNC_RANGE_ITEMS } from '../protocol/ids.js'
import { statusService } from '../protocol/status.js'
import { SyncClient, syncService } from '../protocol/sync.js'
import { ConfigError, type Config } from './config.js'
import { DaemonHost } from './host.js'
import type { Logger } from './logger.js'
import { dataPaths } from './paths.js'
import { InconsistentDataError, ReplicaMirror } from './replica-mirror.js'
import { VERSION } from './version.js'

/** Entries fetched per round trip while catching up. */
const BATCH = Math.min(SYNC_RANGE_ITEMS.leaves, SYNC_RANGE_ITEMS.roots, SYNC_RANGE_ITEMS.log)

export class ReplicaService {
  private timer: NodeJS.Timeout | undefined
  private round: Promise<void> = Promise.resolve()
  private stopped = false

  private constructor(
    readonly mirror: ReplicaMirror,
    readonly host: DaemonHost,
    private readonly operator: Multiaddr,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** `onFatal` hears of failures a retry cannot fix (the mirror's own storage failing). */
  static async start(config: Config, logger: Logger, onFatal: (error: Error) => void): Promise<ReplicaService> {
    if (config.operatorAddress === undefined) throw new ConfigError('a replica needs operatorAddress')
    const operator = multiaddr(config.operatorAddress)
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
      const service = new ReplicaService(mirror, host, operator, config.syncIntervalMs, logger, onFatal)
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
      this.round = this.follow().finally(() => this.schedule(this.intervalMs))
    }, delayMs)
  }

  /** One round: catch up with the operator's head. Failures are logged; the next round retries. */
  private async follow(): Promise<void> {
    let client: SyncClient | undefined
    try {
      client = await SyncClient.open(this.host.node, this.operator)
      await this.mirror.adoptParameters(await client.parameters())
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
        this.stopped = true
        this.logger.fatal({ detail: (error as Error).message }, 'replica failed')
        this.onFatal(error as Error)
      }
    } finally {
      await client?.close()
    }
  }
}
