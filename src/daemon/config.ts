/**
 * Configuration of every role, from four sources in this order of precedence:
 * command-line flags > MACI_ANON_* environment variables > a YAML or JSON file (--config)
 * > defaults. One table describes every key once (its env name, its parser, its default), so
 * the CLI, the README and the tests agree on the same names.
 */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { parse as parseYaml } from 'yaml'
import { MaciAnonError } from '../errors.js'
import { DEFAULT_TREE_DEPTH, MAX_VOTE_OPTIONS } from '../core/poll-limits.js'
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js'
import { defaultDataDir } from './paths.js'

export type Role = 'operator' | 'replica' | 'voter'

export interface Config {
  /** Where the role keeps its state: LevelDB, peer key, keystore. */
  dataDir: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Multiaddrs this node advertises instead of its listen addresses (NAT, containers). */
  announce: string[]
  /** Peers to connect to at start (multiaddrs with /p2p/ IDs). */
  bootstrap: string[]
  /** Local peer discovery by multicast DNS; off by default, since it leaves the loopback. */
  mdns: boolean
  maxConnections: number
  /** New inbound connections one remote IP address may open per second (libp2p's inboundConnectionThreshold). */
  inboundConnectionsPerSecond: number
  /** Inbound connections still in their handshake, over the whole node. */
  maxPendingConnections: number
  /** Open inbound connections from one address (an IPv4 address, an IPv6 /64). */
  maxConnectionsPerAddress: number
  /** An inbound connection with no stream for this long is closed. */
  idleConnectionMs: number
  /** Multiaddrs or CIDRs of local tools whose connections skip the three connection limits above. */
  allowList: string[]
  /** Port of the Prometheus endpoint; unset means no endpoint. */
  metricsPort: number | undefined
  /**
   * Address the endpoint binds to: 127.0.0.1 unless changed. A container sets 0.0.0.0 and
   * publishes the port on the host's loopback only (docker-compose.yml).
   */
  metricsHost: string
  logLevel: LogLevel
  /** `json` (pino's JSON lines, for collectors) or `pretty` (one readable line per entry, for a terminal). */
  logFormat: LogFormat
  /** The operator's multiaddr (replica and voter). A /p2p/ suffix pins its peer ID. */
  operatorAddress: string | undefined
  /**
   * Replica multiaddrs (voter): where a reactivation syncs the leaf list from, and the
   * independent sources its tree is cross-checked with (several must agree).
   */
  replicaAddress: string[]
  /** Other replicas' multiaddrs (replica): their signed roots are compared with ours each round. */
  peerReplicas: string[]
  /** Leaves that must follow the voter's own before it reactivates (its anonymity set). */
  anonymitySet: number
  /** Upper bound of the uniformly random wait between a reactivation's sync and its 2PC. */
  reactivationDelayMaxMs: number
  /** How long `voter reactivate` waits after a lost receipt was recovered (the operator saw the recovery). */
  recoveryCooldownMs: number
  /**
   * Most reactivation sessions of one deactivation that may fail once they used the voter's
   * inputs: each is one more observation for an operator that deviates (SECURITY.md, Retries).
   */
  reactivationSessionLimit: number
  /**
   * Let a voter prove against a tree that only the operator vouches for (no replica
   * reachable). Off by default: a malicious operator can then give this voter its own fork.
   */
  allowSingleSource: boolean
  /** Merkle tree depth for `operator init`. */
  depth: number
  /** The poll's vote options (0 .. voteOptions - 1), fixed by `operator init`. */
  voteOptions: number
  /** How often a replica polls the operator for new data. */
  syncIntervalMs: number
  /** How long a stopping daemon lets running sessions finish before cutting them. */
  shutdownGraceMs: number
  dialTimeoutMs: number
  /** Keystore passphrase (voter). Environment or flag only, never a config file. */
  passphrase: string | undefined
}

/**
 * Admission defaults (README, "Operations"). libp2p's own default admits 5 new connections
 * per second per address, which refuses a handful of voters starting together, and every
 * voter command opens a connection of its own from a fresh identity. A connection costs
 * the node one Noise handshake (about a millisecond of CPU), so 64 per second per address
 * bounds what one address can make it spend while letting a NAT's voters through.
 */
export const CONNECTION_DEFAULTS = {
  maxConnections: 256,
  inboundConnectionsPerSecond: 64,
  maxPendingConnections: 128,
  // A voter command holds one connection; 16 leaves room for a NAT's voters, while 16
  // addresses are needed to fill the 256 slots instead of one.
  maxConnectionsPerAddress: 16,
  // Longer than any pause inside a session (the longest step deadline is 60 s).
  idleConnectionMs: 90_000,
} as const

/**
 * An allow-list entry as the multiaddr libp2p takes: a multiaddr is kept, a CIDR or a bare
 * address (`10.0.0.0/8`, `::1`) becomes `/ip4|ip6/<address>/ipcidr/<bits>`. Throws on
 * anything else.
 */
export function allowListMultiaddr(entry: string): string {
  const text = entry.trim()
  if (text.startsWith('/')) {
    const ip = /^\/(ip4|ip6)\/([^/]+)(?:\/ipcidr\/(\d+))?$/.exec(text)
    if (ip === null) throw new RangeError(`allow-list entry ${entry} must be /ip4/<address>[/ipcidr/<bits>] or /ip6/<address>[/ipcidr/<bits>]`)
    return checkedCidr(ip[1] === 'ip4' ? 4 : 6, ip[2], ip[3], entry)
  }
  const [address, bits, extra] = text.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) throw new RangeError(`allow-list entry ${entry} is neither a multiaddr nor an IP address or CIDR`)
  return checkedCidr(family, address, bits, entry)
}

function checkedCidr(family: number, address: string, bits: string | undefined, entry: string): string {
  const width = family === 4 ? 32 : 128
  if (isIP(address) !== family) throw new RangeError(`allow-list entry ${entry}: ${address} is not an IPv${family} address`)
  const mask = bits === undefined ? width : Number(bits)
  if (!/^\d+$/.test(bits ?? String(width)) || mask > width) throw new RangeError(`allow-list entry ${entry}: the prefix must be 0 to ${width} bits`)
  return `/ip${family}/${address}/ipcidr/${mask}`
}

export class ConfigError extends MaciAnonError {
  constructor(message: string) {
    super('CONFIG', message)
  }
}

type Parser<T> = (value: unknown, key: string) => T

interface KeySpec<K extends keyof Config> {
  env: string
  parse: Parser<Config[K]>
  defaultFor: (role: Role) => Config[K]
  /** Keys that must not come from a file (secrets). */
  fileAllowed?: false
  description: string
}

const text: Parser<string> = (value, key) => {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`${key} must be a non-empty string`)
  return value
}
const optionalText: Parser<string | undefined> = (value, key) => text(value, key)
const list: Parser<string[]> = (value, key) => {
  if (Array.isArray(value)) return value.map((item) => text(item, key))
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0)
  }
  throw new ConfigError(`${key} must be a list or a comma-separated string`)
}
const bool: Parser<boolean> = (value, key) => {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new ConfigError(`${key} must be true or false`)
}
const integer =
  (min: number, max: number): Parser<number> =>
  (value, key) => {
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      throw new ConfigError(`${key} must be an integer from ${min} to ${max}`)
    }
    return number
  }
/** A list of allow-list entries, each checked (and kept as written) here so a typo fails at start. */
const allowList: Parser<string[]> = (value, key) => {
  const entries = list(value, key)
  for (const entry of entries) {
    try {
      allowListMultiaddr(entry)
    } catch (error) {
      throw new ConfigError(`${key}: ${(error as Error).message}`)
    }
  }
  return entries
}
/** Refused at load, so a wrong depth fails before `operator init` has done anything. */
const treeDepth: Parser<number> = (value, key) => {
  const depth = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (depth !== DEFAULT_TREE_DEPTH) {
    throw new ConfigError(
      `${key} must be ${DEFAULT_TREE_DEPTH}, the depth of the committed membership circuit; depth ${String(value)} has no circuit artifacts`,
    )
  }
  return depth
}
const port: Parser<number | undefined> = integer(0, 65535)
const logFormat: Parser<LogFormat> = (value, key) => {
  const format = LOG_FORMATS.find((known) => known === value)
  if (format === undefined) throw new ConfigError(`${key} must be one of ${LOG_FORMATS.join(', ')}`)
  return format
}
const logLevel: Parser<LogLevel> = (value, key) => {
  const level = LOG_LEVELS.find((known) => known === value)
  if (level === undefined) throw new ConfigError(`${key} must be one of ${LOG_LEVELS.join(', ')}`)
  return level
}

/** Default listen ports, one per role, so operator and replica can share a host. */
export const DEFAULT_PORTS = { operator: 4001, replica: 4002 } as const
/** Default WebSockets listen ports (for browser light nodes), beside the TCP ones. */
export const DEFAULT_WEBSOCKET_PORTS = { operator: 4011, replica: 4012 } as const

export const CONFIG_KEYS: { [K in keyof Config]: KeySpec<K> } = {
  dataDir: {
    env: 'MACI_ANON_DATA_DIR',
    parse: text,
    defaultFor: (role) => defaultDataDir(role),
    description: 'state directory of the role',
  },
  listen: {
    env: 'MACI_ANON_LISTEN',
    parse: list,
    defaultFor: (role) =>
      role === 'voter' ? [] : [`/ip4/127.0.0.1/tcp/${DEFAULT_PORTS[role]}`, `/ip4/127.0.0.1/tcp/${DEFAULT_WEBSOCKET_PORTS[role]}/ws`],
    description: 'libp2p listen multiaddrs',
  },
  announce: { env: 'MACI_ANON_ANNOUNCE', parse: list, defaultFor: () => [], description: 'multiaddrs to advertise' },
  bootstrap: { env: 'MACI_ANON_BOOTSTRAP', parse: list, defaultFor: () => [], description: 'bootstrap peer multiaddrs' },
  mdns: { env: 'MACI_ANON_MDNS', parse: bool, defaultFor: () => false, description: 'mDNS discovery' },
  maxConnections: {
    env: 'MACI_ANON_MAX_CONNECTIONS',
    parse: integer(1, 100_000),
    defaultFor: () => CONNECTION_DEFAULTS.maxConnections,
    description: 'most open connections',
  },
  inboundConnectionsPerSecond: {
    env: 'MACI_ANON_INBOUND_CONNECTIONS_PER_SECOND',
    parse: integer(1, 100_000),
    defaultFor: () => CONNECTION_DEFAULTS.inboundConnectionsPerSecond,
    description: 'new inbound connections per second from one IP address',
  },
  maxPendingConnections: {
    env: 'MACI_ANON_MAX_PENDING_CONNECTIONS',
    parse: integer(1, 100_000),
    defaultFor: () => CONNECTION_DEFAULTS.maxPendingConnections,
    description: 'inbound connections in their handshake at once',
  },
  maxConnectionsPerAddress: {
    env: 'MACI_ANON_MAX_CONNECTIONS_PER_ADDRESS',
    parse: integer(1, 100_000),
    defaultFor: () => CONNECTION_DEFAULTS.maxConnectionsPerAddress,
    description: 'open inbound connections from one address (IPv6 by /64)',
  },
  idleConnectionMs: {
    env: 'MACI_ANON_IDLE_CONNECTION_MS',
    parse: integer(1_000, 3_600_000),
    defaultFor: () => CONNECTION_DEFAULTS.idleConnectionMs,
    description: 'an inbound connection with no stream this long is closed',
  },
  allowList: {
    env: 'MACI_ANON_ALLOW_LIST',
    parse: allowList,
    defaultFor: () => [],
    description: 'multiaddrs or CIDRs exempt from the connection limits (local tools)',
  },
  metricsPort: {
    env: 'MACI_ANON_METRICS_PORT',
    parse: port,
    defaultFor: () => undefined,
    description: 'Prometheus endpoint port',
  },
  metricsHost: {
    env: 'MACI_ANON_METRICS_HOST',
    parse: text,
    defaultFor: () => '127.0.0.1',
    description: 'address the Prometheus endpoint binds to',
  },
  logLevel: { env: 'MACI_ANON_LOG_LEVEL', parse: logLevel, defaultFor: () => 'info', description: 'pino log level' },
  logFormat: { env: 'MACI_ANON_LOG_FORMAT', parse: logFormat, defaultFor: () => 'json', description: 'log format: json lines, or pretty for a terminal' },
  operatorAddress: {
    env: 'MACI_ANON_OPERATOR',
    parse: optionalText,
    defaultFor: () => `/ip4/127.0.0.1/tcp/${DEFAULT_PORTS.operator}`,
    description: "the operator's multiaddr",
  },
  replicaAddress: {
    env: 'MACI_ANON_REPLICA',
    parse: list,
    defaultFor: () => [],
    description: 'replica multiaddrs, comma-separated',
  },
  peerReplicas: {
    env: 'MACI_ANON_PEER_REPLICAS',
    parse: list,
    defaultFor: () => [],
    description: "other replicas' multiaddrs, whose signed roots this replica compares with its own",
  },
  anonymitySet: {
    env: 'MACI_ANON_ANONYMITY_SET',
    parse: integer(0, 1_000_000),
    defaultFor: () => 8,
    description: "leaves that must follow the voter's own before it reactivates",
  },
  reactivationDelayMaxMs: {
    env: 'MACI_ANON_REACTIVATION_DELAY_MAX_MS',
    parse: integer(0, 3_600_000),
    defaultFor: () => 10_000,
    description: 'most milliseconds of the random wait between the sync and the 2PC',
  },
  recoveryCooldownMs: {
    env: 'MACI_ANON_RECOVERY_COOLDOWN_MS',
    parse: integer(0, 7 * 24 * 3_600_000),
    defaultFor: () => 6 * 3_600_000,
    description: 'milliseconds voter reactivate waits after a lost receipt was recovered',
  },
  reactivationSessionLimit: {
    env: 'MACI_ANON_REACTIVATION_SESSION_LIMIT',
    parse: integer(1, 100),
    defaultFor: () => 3,
    description: "reactivation sessions of one deactivation that may fail after using the voter's inputs",
  },
  allowSingleSource: {
    env: 'MACI_ANON_ALLOW_SINGLE_SOURCE',
    parse: bool,
    defaultFor: () => false,
    description: 'reactivate against a tree no replica confirms',
  },
  depth: { env: 'MACI_ANON_DEPTH', parse: treeDepth, defaultFor: () => DEFAULT_TREE_DEPTH, description: 'Merkle tree depth' },
  voteOptions: {
    env: 'MACI_ANON_VOTE_OPTIONS',
    parse: integer(1, MAX_VOTE_OPTIONS),
    defaultFor: () => 4,
    description: "the poll's vote options 0..N-1, fixed at init; votes for others are ignored",
  },
  syncIntervalMs: {
    env: 'MACI_ANON_SYNC_INTERVAL_MS',
    parse: integer(100, 3_600_000),
    defaultFor: () => 2_000,
    description: 'replica polling interval',
  },
  shutdownGraceMs: {
    env: 'MACI_ANON_SHUTDOWN_GRACE_MS',
    parse: integer(0, 600_000),
    defaultFor: () => 10_000,
    description: 'grace period for running sessions at shutdown',
  },
  dialTimeoutMs: {
    env: 'MACI_ANON_DIAL_TIMEOUT_MS',
    parse: integer(100, 600_000),
    defaultFor: () => 15_000,
    description: 'deadline for connecting to a peer',
  },
  passphrase: {
    env: 'MACI_ANON_PASSPHRASE',
    parse: optionalText,
    defaultFor: () => undefined,
    fileAllowed: false,
    description: 'keystore passphrase',
  },
}

export interface ConfigSources {
  /** Values from command-line flags, by config key; undefined means not given. */
  flags?: Partial<Record<keyof Config, unknown>>
  env?: NodeJS.ProcessEnv
  /** The parsed config file. */
  file?: Record<string, unknown>
}

export function resolveConfig(role: Role, sources: ConfigSources): Config {
  const file = sources.file ?? {}
  for (const key of Object.keys(file)) {
    if (!(key in CONFIG_KEYS)) throw new ConfigError(`unknown key "${key}" in the config file`)
    if (CONFIG_KEYS[key as keyof Config].fileAllowed === false) {
      throw new ConfigError(`"${key}" must not be kept in a config file; use ${CONFIG_KEYS[key as keyof Config].env}`)
    }
  }
  const env = sources.env ?? {}
  const resolved: Record<string, unknown> = {}
  for (const key of Object.keys(CONFIG_KEYS) as Array<keyof Config>) {
    const spec = CONFIG_KEYS[key] as KeySpec<keyof Config>
    const flag = sources.flags?.[key]
    if (flag !== undefined) resolved[key] = spec.parse(flag, `--${kebab(key)}`)
    else if (env[spec.env] !== undefined && env[spec.env] !== '') resolved[key] = spec.parse(env[spec.env], spec.env)
    else if (file[key] !== undefined) resolved[key] = spec.parse(file[key], key)
    else resolved[key] = spec.defaultFor(role)
  }
  return resolved as unknown as Config
}

/** Reads a YAML or JSON config file (YAML is a superset of JSON). */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown
  try {
    parsed = parseYaml(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`)
  }
  if (parsed === null || parsed === undefined) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${path} must hold a mapping of keys`)
  return parsed as Record<string, unknown>
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
}
