/**
 * Runs a daemon until SIGINT or SIGTERM, then shuts it down gracefully: sessions get the
 * grace period to finish, then are cut, the node stops and the database closes. A second
 * SIGINT (an impatient Ctrl-C) exits at once; a repeated SIGTERM, which supervisors and
 * process groups send freely, changes nothing.
 */
import type { Logger } from '../daemon/logger.js'

export interface Stoppable {
  stop(graceMs: number): Promise<void>
}

export function runUntilSignal(daemon: Stoppable, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        if (signal !== 'SIGINT') return
        logger.warn({ signal }, 'second interrupt: exiting without waiting')
        process.exit(1)
      }
      stopping = true
      logger.info({ signal }, 'shutting down')
      daemon.stop(graceMs).then(resolve, reject)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
