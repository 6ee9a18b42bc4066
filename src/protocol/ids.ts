/**
 * Protocol IDs and their limits. The IDs are versioned: a change to a schema or to the
 * message sequence of a protocol gets a new version, and nodes can serve both during a
 * migration. Limits are per protocol because messages differ by orders of magnitude: a
 * signup is a public key, a 2PC message can be megabytes.
 */
import { REACTIVATION_PROTOCOL } from '../core/reactivation/messages.js'

export const PROTOCOL_PREFIX = '/maci-anon'

export const PROTOCOLS = {
  signup: `${PROTOCOL_PREFIX}/signup/1.0.0`,
  message: `${PROTOCOL_PREFIX}/message/1.1.0`,
  sync: `${PROTOCOL_PREFIX}/sync/1.0.0`,
  // The session's message sequence is core's, and so is its version.
  reactivate: REACTIVATION_PROTOCOL,
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
  maxSessionsPerPeer: number
  /**
   * Concurrent sessions of this protocol from one remote IP address (fresh peer IDs are
   * free, addresses are not), an IPv6 address counting as its /64 (what one host or one
   * subscriber gets); more are refused as UNAVAILABLE. See ADMISSION for loopback peers.
   */
  maxSessionsPerAddress: number
  /** Absolute deadline for the whole session from the stream's opening; activity extends nothing. */
  sessionDeadlineMs: number
  /** Absolute deadline for the first whole message from the stream's opening. */
  firstMessageDeadlineMs: number
}

const KiB = 1024
const MiB = 1024 * KiB

/**
 * Every protocol's sessions are bounded in time and in number, so that no slot can be held
 * for free (DESIGN 2.5, bounded sessions; issue 12). The deadlines run from the stream's
 * opening and no activity moves them; the caps make an attacker pay for slots in addresses,
 * not in peer IDs, which are free. With these caps, locking a protocol out takes at least
 * maxSessions / maxSessionsPerAddress addresses (IPv6: /64 prefixes) reopening streams at
 * every deadline, and a refused client is told when a slot is sure to be free.
 *
 * One-shot protocols (signup, message, status): the client builds its request before it
 * opens the stream, so the request comes within a round trip; 5 s covers a slow or loaded
 * link. The whole session is that plus the 10 s the client waits for its reply (its step
 * timeout): past 15 s nobody is listening for the answer. A message stream may carry more
 * requests in that time (src/protocol/message.ts), under the same deadlines: its client
 * takes it for a new one only while the answer is sure to come before the 15 s. They take
 * milliseconds when honest, so 8 at once from one address (a NAT) is already many; 2 per
 * peer ID lets a retry overlap a closing session, and stays below the 4 streams a connection
 * may open so that the extra streams get a typed refusal instead of a reset from the muxer.
 */
const oneShot = {
  stepTimeoutMs: 10_000,
  maxInboundStreams: 4,
  maxSessions: 64,
  maxQueuedBytes: 64 * KiB,
  maxSessionsPerPeer: 2,
  maxSessionsPerAddress: 8,
  sessionDeadlineMs: 15_000,
  firstMessageDeadlineMs: 5_000,
}

export const LIMITS: Record<ProtocolName, ProtocolLimits> = {
  signup: { ...oneShot, maxRequestBytes: 256, maxResponseBytes: 64 },
  // Ciphertexts are a few hundred bytes; 16 KiB leaves room for a larger encryption scheme.
  message: { ...oneShot, maxRequestBytes: 16 * KiB, maxResponseBytes: 256 },
  // A sync session may run many queries, but its whole-session deadline still bounds it:
  // 120 s fetches a 100k-leaf list (3.2 MB) on a link of 1 Mbit/s with room to spare, and
  // whoever needs more (a replica's first copy of the log and roots, tens of MB) opens
  // another session and goes on from where it stopped, as range queries allow. The client
  // sends its first query as soon as the stream is open. Voters and replicas hold one session
  // per node at a time; 2 per peer ID leaves room for a retry.
  sync: {
    maxRequestBytes: 64,
    maxResponseBytes: 1 * MiB,
    stepTimeoutMs: 30_000,
    maxInboundStreams: 4,
    maxSessions: 32,
    maxQueuedBytes: 2 * MiB,
    maxSessionsPerPeer: 2,
    maxSessionsPerAddress: 4,
    sessionDeadlineMs: 120_000,
    firstMessageDeadlineMs: 5_000,
  },
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
  status: { ...oneShot, maxRequestBytes: 16, maxResponseBytes: 512 },
}

/**
 * Rules of admission shared by every protocol.
 *
 * Per-address caps do not count loopback peers (127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104)
 * unless capLoopback is set. A peer on the node's own host can already stop it or fill its
 * disk, so the cap would buy nothing there, while the local testnet, the tests and the
 * benchmarks run every client from 127.0.0.1 and would otherwise share one address's slots.
 * Per-peer and node-wide caps still apply to them. An operator behind a proxy or relay on
 * its own host sees every peer as loopback, and so loses the per-address caps: run the
 * daemon on the public address itself.
 */
export const ADMISSION = { capLoopback: false }

/** Most items one sync response carries for each range query. */
export const SYNC_RANGE_ITEMS = { leaves: 8192, log: 1024, roots: 8192 } as const
/** Byte budget for the items of one sync response, below maxResponseBytes with room for framing. */
export const SYNC_RESPONSE_BUDGET = LIMITS.sync.maxResponseBytes - 4 * KiB
