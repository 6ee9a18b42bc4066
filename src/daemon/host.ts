/**
 * What operator and replica daemons share: a libp2p node with a persistent key, the
 * protocol server, and the metrics endpoint, started and stopped in the right order.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ProtocolService } from '../protocol/server.js'
import { ProtocolServer } from '../protocol/server.js'
import type { Config, Role } from './config.js'
import type { Logger } from './logger.js'
import { Metrics, type MetricsEndpoint } from './metrics.js'
import { createNode, loadOrCreatePeerKey, type Node } from './node.js'
import { dataPaths } from './paths.js'
import { sessionObserver } from './session-observer.js'

export interface HostOptions {
  role: Exclude<Role, 'voter'>
  config: Config
  logger: Logger
  services: ProtocolService[]
  /** Current state sizes, exported as the state_size gauge. */
  stateSizes: () => Record<string, number>
}

export class DaemonHost {
  private constructor(
    readonly node: Node,
    readonly server: ProtocolServer,
    readonly metrics: Metrics,
    readonly metricsEndpoint: MetricsEndpoint | undefined,
    private readonly logger: Logger,
  ) {}

  static async start(options: HostOptions): Promise<DaemonHost> {
    const { config, logger } = options
    const metrics = new Metrics(options.role)
    const node = await createNode({
      privateKey: await loadOrCreatePeerKey(dataPaths(config.dataDir).peerKey),
      listen: config.listen,
      announce: config.announce,
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      maxConnections: config.maxConnections,
      inboundConnectionsPerSecond: config.inboundConnectionsPerSecond,
      maxPendingConnections: config.maxPendingConnections,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      idleConnectionMs: config.idleConnectionMs,
      allowList: config.allowList,
      metricsRegistry: config.metricsPort === undefined ? undefined : metrics.registry,
    })
    const server = new ProtocolServer(node, sessionObserver(logger, metrics))
    for (const service of options.services) await server.mount(service)
    metrics.observeState(options.stateSizes, () => node.getConnections().length)
    let endpoint: MetricsEndpoint | undefined
    try {
      endpoint = config.metricsPort === undefined ? undefined : await metrics.serve(config.metricsPort, config.metricsHost)
    } catch (error) {
      await node.stop()
      throw error
    }
    const host = new DaemonHost(node, server, metrics, endpoint, logger)
    logger.info(
      {
        peerId: node.peerId.toString(),
        addresses: host.addresses.map(String),
        metrics: endpoint === undefined ? undefined : `http://${config.metricsHost}:${endpoint.port}/metrics`,
      },
      'listening',
    )
    return host
  }

  get addresses(): Multiaddr[] {
    return this.node.getMultiaddrs()
  }

  /** Stop taking sessions, let running ones finish for `graceMs`, then close everything. */
  async stop(graceMs: number): Promise<void> {
    this.logger.info({ activeSessions: this.server.activeSessions, graceMs }, 'stopping')
    await this.server.stop(graceMs)
    await this.node.stop()
    await this.metricsEndpoint?.close()
  }
}
