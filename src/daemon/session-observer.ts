/**
 * Reports every served session to the log and the metrics, in one place for all roles.
 *
 * A line that names a peer carries nothing a reactivation later reveals (DESIGN 2.5, "reads
 * that link nothing"): no root, no tree size, no nullifier, link or key. So session lines
 * list which kinds of data were served, never how many items (a voter reads the whole leaf
 * list, so that amount is the tree size its membership proof's root belongs to); amounts go
 * to the metrics, which aggregate over peers. For sync and reactivate sessions, a failure's
 * detail is logged on a line of its own without the peer, at debug level unless it is an
 * internal error.
 *
 * A session the peer ended with an abort frame is the peer's report, not the daemon's: its
 * code is logged as `peerCode` at info level and counted in session_peer_aborts_total, apart
 * from the daemon's own errors (issue 12: a client's `{code: INTERNAL}` abort was logged as
 * the operator's own error).
 */
import type { SessionObserver } from '../protocol/server.js'
import type { ProtocolName } from '../protocol/ids.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'

/** Protocols whose sessions read or carry what a reactivation reveals. */
const REACTIVATION_RELATED: ReadonlySet<ProtocolName> = new Set(['sync', 'reactivate'])

export function sessionObserver(logger: Logger, metrics: Metrics): SessionObserver {
  return {
    sessionStarted(protocol, peer) {
      metrics.sessionStarted(protocol)
      logger.debug({ protocol, peer }, 'session started')
    },
    sessionEnded({ protocol, peer, durationMs, counts, error }) {
      metrics.sessionEnded(protocol, durationMs, error)
      if (protocol === 'sync') {
        for (const [kind, amount] of Object.entries(counts)) metrics.syncItemsServed.inc({ kind }, amount)
      }
      const served = Object.keys(counts).filter((kind) => counts[kind] > 0)
      const fields = { protocol, peer, durationMs: Math.round(durationMs), served }
      if (error === undefined) {
        // A replica polls parameters and head every few seconds; only sessions that moved
        // data (ranges, state changes) are worth a line at info level.
        const pollOnly = protocol === 'sync' && served.every((kind) => kind === 'parameters' || kind === 'head')
        if (pollOnly) logger.debug(fields, 'session ended')
        else logger.info(fields, 'session ended')
        return
      }
      if (error.remote) {
        // The peer ended the session and named a code: its claim about itself, not a failure
        // of this daemon. Logged at info as the peer's (peerCode), never as our own code, so
        // no peer can put an INTERNAL error into the daemon's log; its reason text, which
        // the peer chose, only at debug and on a line without the peer ID.
        logger.info({ ...fields, code: 'ABORTED', peerCode: error.code, remote: true }, 'session failed')
        logger.debug({ protocol, peerCode: error.code, reason: error.message }, 'session failure detail')
        return
      }
      const level = error.code === 'INTERNAL' ? 'error' : 'warn'
      if (!REACTIVATION_RELATED.has(protocol)) {
        logger[level]({ ...fields, code: error.code, detail: error.detail, remote: false }, 'session failed')
        return
      }
      logger[level]({ ...fields, code: error.code, remote: false }, 'session failed')
      logger[error.code === 'INTERNAL' ? 'error' : 'debug']({ protocol, code: error.code, detail: error.detail }, 'session failure detail')
    },
  }
}
