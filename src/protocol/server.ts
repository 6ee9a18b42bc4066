/**
 * Serving side of every protocol: registers services on a libp2p node, wraps each inbound
 * stream in a StreamChannel with the protocol's limits, turns any failure into a typed abort
 * frame, and keeps serving. It also tracks sessions so shutdown can let them finish, then
 * cut the rest.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { errorCodeOf, ProtocolError, publicMessageOf, RemoteAbortError, type ProtocolErrorCode } from './errors.js'
import { LIMITS, PROTOCOLS, type ProtocolName } from './ids.js'
import { StreamChannel } from './stream-channel.js'

export interface SessionContext {
  protocol: ProtocolName
  /** The remote peer ID, for logs only: it never decides what a peer may do. */
  peer: string
  /** Add to a named tally reported with the session's outcome (e.g. leaves served). */
  count(what: string, amount: number): void
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

export class ProtocolServer {
  private readonly active = new Set<StreamChannel>()
  private readonly perProtocol = new Map<ProtocolName, number>()
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
    const limits = LIMITS[service.name]
    const channel = new StreamChannel(stream, {
      timeoutMs: limits.stepTimeoutMs,
      maxBytes: limits.maxRequestBytes,
      maxQueuedBytes: limits.maxQueuedBytes,
    })
    const peer = connection.remotePeer.toString()
    const started = performance.now()
    this.active.add(channel)
    const running = (this.perProtocol.get(service.name) ?? 0) + 1
    this.perProtocol.set(service.name, running)
    this.observer.sessionStarted(service.name, peer)
    let error: SessionOutcome['error']
    const counts: Record<string, number> = {}
    const count = (what: string, amount: number) => {
      counts[what] = (counts[what] ?? 0) + amount
    }
    try {
      // Refusals go through the same accounting as failures, so metrics and logs see them.
      if (!this.accepting) throw new ProtocolError('UNAVAILABLE', 'the node is shutting down')
      if (running > limits.maxSessions) throw new ProtocolError('UNAVAILABLE', `too many ${service.name} sessions; retry later`)
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
      this.perProtocol.set(service.name, (this.perProtocol.get(service.name) ?? 1) - 1)
      this.observer.sessionEnded({ protocol: service.name, peer, durationMs: performance.now() - started, counts, error })
      if (this.active.size === 0) this.idle.splice(0).forEach((notify) => notify())
    }
  }
}
