/**
 * The readiness checks a daemon's /readyz reports (src/daemon/metrics.ts serves them). They
 * are registered once the service has started, so a daemon still starting is not ready, and
 * they fail as soon as its stop begins, so an orchestrator stops sending work before the
 * node goes.
 */
import { access, constants } from 'node:fs/promises'
import type { DaemonHost } from '../daemon/host.js'
import { releaseVerificationKeyHashes } from '../zk/artifacts.js'
import type { Stoppable } from './daemon-runner.js'

type VkeyHashes = { membership: string; leafOpening: string }

/**
 * Whether the circuit files a daemon needs are readable and the release's verification keys
 * load and equal `published` (the hashes in an operator's public parameters). Checked once
 * at start: the files are part of the release, and a daemon started without them stays
 * unready until it is restarted with them.
 */
export async function artifactsReady(files: string[], published?: VkeyHashes): Promise<boolean> {
  try {
    await Promise.all(files.map((file) => access(file, constants.R_OK)))
    const release = releaseVerificationKeyHashes()
    return published === undefined || (published.membership === release.membership && published.leafOpening === release.leafOpening)
  } catch {
    return false
  }
}

/**
 * Registers the checks on the service's metrics and returns the service to run, marked
 * unready once its stop begins; the artifacts check counts as failed until it has finished. The service opens its store before its node and closes it
 * after, in stop: from here until then the store is open.
 */
export function withReadiness(service: Stoppable & { host: DaemonHost }, artifactsCheck: Promise<boolean>): Stoppable {
  let stopping = false
  // Not awaited here: the caller hands the service to runUntilSignal at once, so that no
  // signal falls between the start and the handlers.
  let artifacts = false
  void artifactsCheck.then((ready) => (artifacts = ready))
  const { node, metrics } = service.host
  metrics.observeReadiness(() => ({
    store: !stopping,
    libp2p: !stopping && node.status === 'started' && node.getMultiaddrs().length > 0,
    artifacts,
  }))
  return {
    stop: (graceMs) => {
      stopping = true
      return service.stop(graceMs)
    },
  }
}
