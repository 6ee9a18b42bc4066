/**
 * Protocol IDs and their limits. The IDs are versioned: a change to a schema or to the
 * message sequence of a protocol gets a new version, and nodes can serve both during a
 * migration. Limits are per protocol because messages differ by orders of magnitude: a
 * signup is a public key, a 2PC message can be megabytes.
 */
export const PROTOCOL_PREFIX = '/maci-anon'

export const PROTOCOLS = {
  signup: `${PROTOCOL_PREFIX}/signup/1.0.0`,
  message: `${PROTOCOL_PREFIX}/message/1.0.0`,
  sync: `${PROTOCOL_PREFIX}/sync/1.0.0`,
  reactivate: `${PROTOCOL_PREFIX}/reactivate/2.0.0`,
  status: `${PROTOCOL_PREFIX}/status/1.0.0`,
} as const

export type ProtocolName = keyof typeof PROTOCOLS

export interface ProtocolLimits {
  /** Largest message the server accepts. */
  maxRequestBytes: number
  /** Largest message the client accepts. */
  maxResponseBytes: number
  /** Deadline for each step (each receive), in milliseconds. */
  stepTimeoutMs: number
  /** Concurrent inbound streams of this protocol per connection. */
  maxInboundStreams: number
  /** Concurrent sessions of this protocol on the whole node; more are refused as UNAVAILABLE. */
  maxSessions: number
  /** Received but unread bytes a session may hold (a peer may send several messages ahead). */
  maxQueuedBytes: number
  /** Concurrent sessions of this protocol from one remote peer ID; more are refused as UNAVAILABLE. */
  maxSessionsPerPeer?: number
  /**
   * Concurrent sessions of this protocol from one remote IP address (fresh peer IDs are
   * free, addresses are not); more are refused as UNAVAILABLE.
   */
  maxSessionsPerAddress?: number
  /** Absolute deadline for the whole session from the stream's opening; activity extends nothing. */
  sessionDeadlineMs?: number
  /** Absolute deadline for the first whole message from the stream's opening. */
  firstMessageDeadlineMs?: number
}

const KiB = 1024
const MiB = 1024 * KiB

const small = { maxInboundStreams: 4, maxSessions: 64, maxQueuedBytes: 64 * KiB }

export const LIMITS: Record<ProtocolName, ProtocolLimits> = {
  signup: { ...small, maxRequestBytes: 256, maxResponseBytes: 64, stepTimeoutMs: 10_000 },
  // Ciphertexts are a few hundred bytes; 16 KiB leaves room for a larger encryption scheme.
  message: { ...small, maxRequestBytes: 16 * KiB, maxResponseBytes: 256, stepTimeoutMs: 10_000 },
  sync: { ...small, maxRequestBytes: 64, maxResponseBytes: 1 * MiB, stepTimeoutMs: 30_000, maxSessions: 32, maxQueuedBytes: 2 * MiB },
  // The 2PC cuts its messages into frames of at most 1 MiB (src/mpc/session.ts) and may send
  // many ahead (OT extension columns, garbled tables). A session takes a few seconds of CPU
  // (README, benchmarks), so its whole-session deadline leaves a wide margin for a busy
  // machine while bounding how long one slot can be held: with slots this few, an idle or
  // trickling stream would otherwise lock every voter out (DESIGN 2.5, bounded sessions).
  // The hello carries a finished membership proof, so it comes at once or not at all.
  // Two streams per connection so that the second gets a typed refusal from the per-peer
  // limit rather than a bare reset from the muxer.
  reactivate: {
    maxRequestBytes: 1 * MiB,
    maxResponseBytes: 1 * MiB,
    stepTimeoutMs: 60_000,
    maxInboundStreams: 2,
    maxSessions: 4,
    maxQueuedBytes: 64 * MiB,
    maxSessionsPerPeer: 1,
    maxSessionsPerAddress: 2,
    sessionDeadlineMs: 120_000,
    firstMessageDeadlineMs: 5_000,
  },
  status: { ...small, maxRequestBytes: 16, maxResponseBytes: 512, stepTimeoutMs: 10_000 },
}

/** Most items one sync response carries for each range query. */
export const SYNC_RANGE_ITEMS = { leaves: 8192, log: 1024, roots: 8192 } as const
/** Byte budget for the items of one sync response, below maxResponseBytes with room for framing. */
export const SYNC_RESPONSE_BUDGET = LIMITS.sync.maxResponseBytes - 4 * KiB
