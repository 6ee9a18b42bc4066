/**
 * Serving side of every protocol: registers services on a libp2p node, wraps each inbound
 * stream in a StreamChannel with the protocol's limits, turns any failure into a typed abort
 * frame, and keeps serving. It also tracks sessions so shutdown can let them finish, then
 * cut the rest.
 *
 * Admission: every protocol caps its sessions on the node, per remote peer ID and per remote
 * address (an IPv4 address, or an IPv6 /64; loopback as ADMISSION says), and every session
 * has deadlines. A refused session gets UNAVAILABLE at once, with the seconds until a slot is
 * sure to be free (the first deadline among the sessions holding them), so a client is told
 * when to come back instead of waiting on a stream nobody will serve.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { registry, type Multiaddr } from '@multiformats/multiaddr'
import { busyReason, errorCodeOf, ProtocolError, publicMessageOf, RemoteAbortError, type ProtocolErrorCode } from './errors.js'
import { ADMISSION, LIMITS, PROTOCOLS, type ProtocolLimits, type ProtocolName } from './ids.js'
import { StreamChannel } from './stream-channel.js'
import { ChannelError } from '../mpc/channel.js'

export interface SessionContext {
  protocol: ProtocolName
  /** The remote peer ID, for logs: beyond the per-peer session limit, it never decides what a peer may do. */
  peer: string
  /** Add to a named tally reported with the session's outcome (e.g. leaves served). */
  count(what: string, amount: number): void
}

/**
 * The client's next request in a session that serves any number of them (sync, message), or
 * undefined once the client has closed its side, which is how such a session ends.
 */
export async function nextRequest(channel: StreamChannel): Promise<Uint8Array | undefined> {
  try {
    return await channel.receive()
  } catch (error) {
    if (error instanceof ChannelError && error.code === 'CLOSED') return undefined
    throw error
  }
}

export interface ProtocolService {
  readonly name: ProtocolName
  /** Run one session. Throw to end it with an error; the server sends the abort frame. */
  serve(channel: StreamChannel, context: SessionContext): Promise<void>
}

export interface SessionOutcome {
  protocol: ProtocolName
  peer: string
  durationMs: number
  counts: Record<string, number>
  /** Unset when the session ended normally. */
  error?: {
    code: ProtocolErrorCode
    /** What the peer was told. */
    message: string
    /** The local error's own message, for the operator's logs only (INTERNAL errors hide it from peers). */
    detail: string
    remote: boolean
  }
}

/** Where sessions are reported (logs and metrics live in the daemon, not here). */
export interface SessionObserver {
  sessionStarted(protocol: ProtocolName, peer: string): void
  sessionEnded(outcome: SessionOutcome): void
}

/** One admitted session, as admission counts it. */
interface RunningSession {
  peer: string
  /** The address group it counts under (addressGroupOf). */
  address: string
  /** Date.now() at which its session deadline passes. */
  expiresAt: number
}

export class ProtocolServer {
  private readonly active = new Set<StreamChannel>()
  private readonly running = new Map<ProtocolName, Set<RunningSession>>()
  private readonly idle: Array<() => void> = []
  private readonly mounted: string[] = []
  private accepting = true

  constructor(
    private readonly node: Pick<Libp2p, 'handle' | 'unhandle'>,
    private readonly observer: SessionObserver,
  ) {}

  get activeSessions(): number {
    return this.active.size
  }

  async mount(service: ProtocolService): Promise<void> {
    const limits = LIMITS[service.name]
    const protocol = PROTOCOLS[service.name]
    await this.node.handle(protocol, (stream, connection) => this.run(service, stream, connection), {
      maxInboundStreams: limits.maxInboundStreams,
    })
    this.mounted.push(protocol)
  }

  /**
   * Stop taking sessions, give the running ones `graceMs` to finish, then reset the rest.
   * Resolves when no session is left.
   */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false
    await this.node.unhandle(this.mounted).catch(() => undefined)
    if (this.active.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs)
        this.idle.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    for (const channel of this.active) channel.reset('the node is shutting down')
    this.active.clear()
  }

  private async run(service: ProtocolService, stream: Stream, connection: Connection): Promise<void> {
    // Read at each session, not at mount, so a test can shorten a deadline on a running daemon.
    const limits = LIMITS[service.name]
    const channel = new StreamChannel(stream, {
      timeoutMs: limits.stepTimeoutMs,
      maxBytes: limits.maxRequestBytes,
      maxQueuedBytes: limits.maxQueuedBytes,
      sessionDeadlineMs: limits.sessionDeadlineMs,
      firstMessageDeadlineMs: limits.firstMessageDeadlineMs,
    })
    const peer = connection.remotePeer.toString()
    const started = performance.now()
    this.active.add(channel)
    this.observer.sessionStarted(service.name, peer)
    let error: SessionOutcome['error']
    let admitted: RunningSession | undefined
    const counts: Record<string, number> = {}
    const count = (what: string, amount: number) => {
      counts[what] = (counts[what] ?? 0) + amount
    }
    try {
      // Refusals go through the same accounting as failures, so metrics and logs see them.
      if (!this.accepting) throw new ProtocolError('UNAVAILABLE', 'the node is shutting down')
      admitted = this.admit(service.name, limits, peer, addressGroupOf(connection.remoteAddr))
      await service.serve(channel, { protocol: service.name, peer, count })
    } catch (cause) {
      const remote = cause instanceof RemoteAbortError
      error = {
        code: errorCodeOf(cause),
        message: publicMessageOf(cause),
        detail: cause instanceof Error ? cause.message : String(cause),
        remote,
      }
      // Nobody is left to tell when the peer aborted or the stream is already gone.
      if (!remote && error.code !== 'CLOSED') await channel.abort(error.code, error.message)
    } finally {
      await channel.close()
      this.active.delete(channel)
      if (admitted !== undefined) this.running.get(service.name)?.delete(admitted)
      this.observer.sessionEnded({ protocol: service.name, peer, durationMs: performance.now() - started, counts, error })
      if (this.active.size === 0) this.idle.splice(0).forEach((notify) => notify())
    }
  }

  /** Counts the session in, or throws UNAVAILABLE naming the limit it hit and when to retry. */
  private admit(name: ProtocolName, limits: ProtocolLimits, peer: string, address: AddressGroup): RunningSession {
    let sessions = this.running.get(name)
    if (sessions === undefined) {
      sessions = new Set()
      this.running.set(name, sessions)
    }
    const all = [...sessions]
    const fromPeer = all.filter((session) => session.peer === peer)
    const fromAddress = all.filter((session) => session.address === address.key)
    if (all.length >= limits.maxSessions) throw busy(`the node runs its maximum of ${limits.maxSessions} ${name} sessions`, all)
    if (fromPeer.length >= limits.maxSessionsPerPeer) {
      throw busy(`this peer already runs ${fromPeer.length} ${name} session(s), the most allowed`, fromPeer)
    }
    if ((!address.loopback || ADMISSION.capLoopback) && fromAddress.length >= limits.maxSessionsPerAddress) {
      throw busy(`this address already runs ${fromAddress.length} ${name} sessions, the most allowed`, fromAddress)
    }
    const session: RunningSession = { peer, address: address.key, expiresAt: Date.now() + limits.sessionDeadlineMs }
    sessions.add(session)
    return session
  }
}

/** UNAVAILABLE with the seconds until the first of `holding` reaches its deadline. */
function busy(what: string, holding: RunningSession[]): ProtocolError {
  const first = Math.min(...holding.map((session) => session.expiresAt))
  return new ProtocolError('UNAVAILABLE', busyReason(what, Math.max(1, Math.ceil((first - Date.now()) / 1000))))
}

/** What per-address caps count a remote address under. */
export interface AddressGroup {
  key: string
  /** On the node's own host: per-address caps leave it alone unless ADMISSION.capLoopback. */
  loopback: boolean
}

/**
 * The address group of a remote multiaddr: its first IP component (for a relayed
 * connection, the relay's). IPv4 counts as the full address. IPv6 counts as its /64, the
 * smallest prefix a host or a subscriber is given, so that one allocation cannot pose as
 * 2^64 addresses; an IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer)
 * counts as the IPv4 address it maps, or every IPv4 peer would share the zero /64. Anything
 * without an IP counts under its whole multiaddr, so it is still limited, only on its own.
 */
export function addressGroupOf(address: Multiaddr): AddressGroup {
  const ip = address.getComponents().find((component) => component.name === 'ip4' || component.name === 'ip6')
  if (ip?.value === undefined) return { key: address.toString(), loopback: false }
  if (ip.name === 'ip4') return ipv4Group(ip.value)
  const bytes = ipv6Bytes(ip.value)
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((byte) => byte === 0)
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return ipv4Group(bytes.subarray(12).join('.'))
  const hextets = [0, 2, 4, 6].map((i) => ((bytes[i] << 8) | bytes[i + 1]).toString(16))
  return { key: `${hextets.join(':')}::/64`, loopback: zeros(0, 15) && bytes[15] === 1 }
}

function ipv4Group(address: string): AddressGroup {
  return { key: address, loopback: address.startsWith('127.') }
}

function ipv6Bytes(address: string): Uint8Array {
  const codec = registry.getProtocol('ip6')
  if (codec.valueToBytes === undefined) throw new Error('the multiaddr registry cannot encode ip6')
  return codec.valueToBytes(address)
}
