/**
 * The local network as data: an operator, a replica and N voters, each with the CLI steps it
 * runs, its ports and its configuration (as MACI_ANON_* variables). scripts/testnet.ts runs
 * it as processes on 127.0.0.1, docker-compose.yml declares the same services, and a test
 * checks that the two agree. Only placement differs: where the data lives, which address a
 * node listens on, and how peers name each other (127.0.0.1 or a compose service name).
 */
import { join } from 'node:path'
import { DEFAULT_PORTS, DEFAULT_WEBSOCKET_PORTS, type Role } from '../../src/daemon/config.js'

/** A daemon's ports: libp2p over TCP (p2p), libp2p over WebSockets (ws), and the metrics endpoint. */
export interface DaemonPorts {
  p2p: number
  ws: number
  metrics: number
}

export interface Ports {
  operator: DaemonPorts
  replica: DaemonPorts
}

export const DEFAULT_TOPOLOGY_PORTS: Ports = {
  operator: { p2p: DEFAULT_PORTS.operator, ws: DEFAULT_WEBSOCKET_PORTS.operator, metrics: 9464 },
  replica: { p2p: DEFAULT_PORTS.replica, ws: DEFAULT_WEBSOCKET_PORTS.replica, metrics: 9465 },
}

/** Testnet voters' keystore passphrase: a demo value, never one for real keys. */
export const TESTNET_PASSPHRASE = 'testnet-only-passphrase'

/**
 * Reactivation settings of testnet voters, set low on purpose: with three voters someone's
 * leaf is always the last, so no anonymity set could be met, and the demo should not wait
 * the default 10 s. A real poll keeps the defaults (8 leaves, up to 10 s).
 */
export const TESTNET_ANONYMITY_SET = 0
export const TESTNET_REACTIVATION_DELAY_MAX_MS = 1_000

export interface ServiceSpec {
  name: string
  role: Role
  /** CLI invocations (arguments after `maci-anon`), run in order; a daemon's last one keeps running. */
  steps: string[][]
  /** Whether the last step is a daemon that runs until stopped. */
  daemon: boolean
  ports: Partial<DaemonPorts>
  dependsOn: string[]
}

export interface Placement {
  /** Data directory of a service. */
  dataDir(service: string): string
  /** Address a daemon binds its libp2p listener and metrics endpoint to. */
  bindHost: string
  /** Multiaddr of a service's libp2p listener as seen from the other services. */
  address(service: string, port: number): string
}

export function localPlacement(root: string): Placement {
  return {
    dataDir: (service) => join(root, service),
    bindHost: '127.0.0.1',
    address: (_service, port) => `/ip4/127.0.0.1/tcp/${port}`,
  }
}

/** Inside docker compose: one volume per service at /data, peers found by service name. */
export const composePlacement: Placement = {
  dataDir: () => '/data',
  bindHost: '0.0.0.0',
  address: (service, port) => `/dns4/${service}/tcp/${port}`,
}

export function voterName(index: number): string {
  return `voter-${index + 1}`
}

export function services(voters: number, ports: Ports = DEFAULT_TOPOLOGY_PORTS): ServiceSpec[] {
  return [
    {
      name: 'operator',
      role: 'operator',
      steps: [['operator', 'start', '--init']],
      daemon: true,
      ports: ports.operator,
      dependsOn: [],
    },
    {
      name: 'replica',
      role: 'replica',
      steps: [['replica', 'start']],
      daemon: true,
      ports: ports.replica,
      dependsOn: ['operator'],
    },
    ...Array.from({ length: voters }, (_, index) => ({
      name: voterName(index),
      role: 'voter' as const,
      // --if-missing: a container's steps run again at every `docker compose up`.
      steps: [
        ['voter', 'keygen', '--if-missing'],
        ['voter', 'signup', '--if-missing'],
      ],
      daemon: false,
      ports: {},
      dependsOn: ['operator', 'replica'],
    })),
  ]
}

/** A daemon's libp2p listen addresses: TCP, and WebSockets when it has a ws port. */
export function listenAddresses(host: string, ports: Partial<DaemonPorts>): string[] {
  return [
    ...(ports.p2p === undefined ? [] : [`/ip4/${host}/tcp/${ports.p2p}`]),
    ...(ports.ws === undefined ? [] : [`/ip4/${host}/tcp/${ports.ws}/ws`]),
  ]
}

/** The MACI_ANON_* configuration of one service under a placement. */
export function serviceEnv(service: ServiceSpec, placement: Placement, ports: Ports = DEFAULT_TOPOLOGY_PORTS): Record<string, string> {
  const env: Record<string, string> = { MACI_ANON_DATA_DIR: placement.dataDir(service.name) }
  if (service.ports.p2p !== undefined) env.MACI_ANON_LISTEN = listenAddresses(placement.bindHost, service.ports).join(',')
  if (service.ports.metrics !== undefined) {
    env.MACI_ANON_METRICS_PORT = String(service.ports.metrics)
    env.MACI_ANON_METRICS_HOST = placement.bindHost
  }
  if (service.role !== 'operator') env.MACI_ANON_OPERATOR = placement.address('operator', ports.operator.p2p)
  if (service.role === 'replica') env.MACI_ANON_SYNC_INTERVAL_MS = '1000'
  if (service.role === 'voter') {
    env.MACI_ANON_REPLICA = placement.address('replica', ports.replica.p2p)
    env.MACI_ANON_PASSPHRASE = TESTNET_PASSPHRASE
    env.MACI_ANON_ANONYMITY_SET = String(TESTNET_ANONYMITY_SET)
    env.MACI_ANON_REACTIVATION_DELAY_MAX_MS = String(TESTNET_REACTIVATION_DELAY_MAX_MS)
  }
  return env
}
