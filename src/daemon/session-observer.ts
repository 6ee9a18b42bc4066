/** Reports every served session to the log and the metrics, in one place for all roles. */
import type { SessionObserver } from '../protocol/server.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'

export function sessionObserver(logger: Logger, metrics: Metrics): SessionObserver {
  return {
    sessionStarted(protocol, peer) {
      metrics.sessionStarted(protocol)
      logger.debug({ protocol, peer }, 'session started')
    },
    sessionEnded({ protocol, peer, durationMs, counts, error }) {
      metrics.sessionEnded(protocol, durationMs, error?.code)
      if (protocol === 'sync') {
        for (const [kind, amount] of Object.entries(counts)) metrics.syncItemsServed.inc({ kind }, amount)
      }
      const fields = { protocol, peer, durationMs: Math.round(durationMs), counts }
      if (error === undefined) {
        // A replica polls parameters and head every few seconds; only sessions that moved
        // data (ranges, state changes) are worth a line at info level.
        const pollOnly = protocol === 'sync' && Object.keys(counts).every((kind) => kind === 'parameters' || kind === 'head')
        if (pollOnly) logger.debug(fields, 'session ended')
        else logger.info(fields, 'session ended')
      } else if (error.code === 'INTERNAL') {
        logger.error({ ...fields, code: error.code, detail: error.detail }, 'session failed')
      } else {
        logger.warn({ ...fields, code: error.code, detail: error.detail, remote: error.remote }, 'session failed')
      }
    },
  }
}
