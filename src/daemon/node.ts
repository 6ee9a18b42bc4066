/**
 * The libp2p node every role runs: TCP, Noise, yamux, identify and ping, a bootstrap list,
 * optional mDNS, and connection limits. The peer key is persistent for daemons (peers and
 * configs can pin the operator's peer ID) and ephemeral for voters, where unlinkability
 * matters (every voter command gets a key used once).
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, MultiaddrConnection, PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { ping, type Ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import type { Registry } from 'prom-client'
import { MaciAnonError } from '../errors.js'
import { ADMISSION } from '../protocol/ids.js'
import { addressGroupOf } from '../protocol/server.js'
import { allowListMultiaddr, CONNECTION_DEFAULTS } from './config.js'

export interface NodeOptions {
  privateKey: PrivateKey
  listen: string[]
  announce?: string[]
  bootstrap?: string[]
  mdns?: boolean
  maxConnections?: number
  /** New inbound connections one remote IP address may open per second; more are refused at the socket. */
  inboundConnectionsPerSecond?: number
  /** Inbound connections still in their handshake (Noise, yamux), over the whole node. */
  maxPendingConnections?: number
  /**
   * Open inbound connections from one address group (src/protocol/server.ts addressGroupOf:
   * an IPv4 address, an IPv6 /64). Session caps bound what a connection can do; this bounds
   * how many idle connections one address can hold (the red team filled all 256 from one IP
   * with fresh peer IDs). Loopback peers are left alone unless ADMISSION.capLoopback.
   */
  maxConnectionsPerAddress?: number
  /** A listening node closes an inbound connection that held no stream for about this long. */
  idleConnectionMs?: number
  /**
   * Multiaddrs or CIDRs (`/ip4/10.0.0.0/ipcidr/8`, `10.0.0.0/8`, `::1`) whose connections skip
   * the rate, the pending cap and maxConnections: local tools (monitoring, a replica on the
   * same host, the benchmarks). Session caps and deadlines still apply to them.
   */
  allowList?: string[]
  /**
   * Where libp2p's own metrics go (@libp2p/prometheus-metrics: connections, streams and
   * bytes per protocol, dial and upgrade counts), beside the daemon's. None by default.
   */
  metricsRegistry?: Registry
  /**
   * The addresses a dialling-only node (a voter command, an audit) will dial. The node speaks
   * WebSockets besides TCP when one of these or of its listen addresses is a `/ws` one, and
   * runs on TCP alone otherwise.
   */
  dials?: readonly string[]
}

/** Whether a multiaddr is a WebSockets one (`/ws` or `/wss`). */
export function isWebSocketsAddress(address: string): boolean {
  return /\/wss?(\/|$)/.test(address)
}


export type Node = Libp2p<{ identify: Identify; ping: Ping }>

export class PeerKeyError extends MaciAnonError {
  constructor(message: string) {
    super('PEER_KEY', message)
  }
}

export async function createNode(options: NodeOptions): Promise<Node> {
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if ((options.bootstrap ?? []).length > 0) peerDiscovery.push(bootstrap({ list: options.bootstrap ?? [] }))
  if (options.mdns === true) peerDiscovery.push(mdns())
  const perAddress = options.maxConnectionsPerAddress ?? CONNECTION_DEFAULTS.maxConnectionsPerAddress
  // Counted from the raw socket on, not from the finished upgrade: connections dialled at
  // once are all still in their handshake when the gate sees the next one.
  const byAddress = new Map<string, Set<MultiaddrConnection>>()
  const created: Node = await createLibp2p({
    connectionGater: {
      denyInboundConnection: (connection) => {
        const group = addressGroupOf(connection.remoteAddr)
        if (group.loopback && !ADMISSION.capLoopback) return false
        const open = byAddress.get(group.key) ?? new Set<MultiaddrConnection>()
        for (const held of open) if (held.status === 'closed') open.delete(held)
        if (open.size >= perAddress) return true
        open.add(connection)
        byAddress.set(group.key, open)
        connection.addEventListener('close', () => open.delete(connection), { once: true })
        return false
      },
    },
    privateKey: options.privateKey,
    addresses: { listen: options.listen, announce: options.announce ?? [] },
    // WebSockets beside TCP, so that a browser light node can reach the operator and the
    // replicas; both carry the same Noise and yamux upgrade and the same admission gate.
    transports: [...options.listen, ...(options.dials ?? [])].some(isWebSocketsAddress) ? [tcp(), webSockets()] : [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: {
      maxConnections: options.maxConnections ?? CONNECTION_DEFAULTS.maxConnections,
      inboundConnectionThreshold: options.inboundConnectionsPerSecond ?? CONNECTION_DEFAULTS.inboundConnectionsPerSecond,
      // Half-open handshakes cost the server CPU (Noise); cap them separately.
      maxIncomingPendingConnections: options.maxPendingConnections ?? CONNECTION_DEFAULTS.maxPendingConnections,
      allow: (options.allowList ?? []).map(allowListMultiaddr),
    },
    services: { identify: identify(), ping: ping() },
    // The daemon's Metrics registry already collects the process metrics; keep what it holds.
    metrics:
      options.metricsRegistry === undefined
        ? undefined
        : prometheusMetrics({ registry: options.metricsRegistry, collectDefaultMetrics: false, preserveExistingMetrics: true }),
  })
  if (options.listen.length > 0) pruneIdleConnections(created, options.idleConnectionMs ?? CONNECTION_DEFAULTS.idleConnectionMs)
  return created
}

/**
 * Closes inbound connections that held no stream at two sweeps in a row, half the idle time
 * apart: a peer cannot keep a connection slot for nothing, and one that comes back redials.
 */
function pruneIdleConnections(node: Node, idleMs: number): void {
  let idleBefore = new Set<string>()
  const timer = setInterval(() => {
    if (node.status !== 'started') {
      if (node.status === 'stopped') clearInterval(timer)
      return
    }
    const idleNow = new Set<string>()
    for (const connection of node.getConnections()) {
      if (connection.direction !== 'inbound' || connection.streams.length > 0) continue
      if (idleBefore.has(connection.id)) void connection.close().catch(() => connection.abort(new Error('idle')))
      else idleNow.add(connection.id)
    }
    idleBefore = idleNow
  }, idleMs / 2)
  timer.unref()
}

/** The node's long-term key at `path`, created (Ed25519, mode 0600) on first use. */
export async function loadOrCreatePeerKey(path: string): Promise<PrivateKey> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (bytes !== undefined) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (error) {
      throw new PeerKeyError(`${path} does not hold a libp2p private key: ${(error as Error).message}`)
    }
  }
  const key = await generateKeyPair('Ed25519')
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600)
  return key
}

/** A key for one session only: nothing links it to the voter's other connections. */
export function ephemeralPeerKey(): Promise<PrivateKey> {
  return generateKeyPair('Ed25519')
}
