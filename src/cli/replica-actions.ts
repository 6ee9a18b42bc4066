/** What `maci-anon replica start` does, loaded when it runs (replica-commands.ts declares it). */
import type { Command } from 'commander'
import { createLogger } from '../daemon/logger.js'
import { ReplicaService } from '../daemon/replica.js'
import { runUntilSignal } from './daemon-runner.js'
import { commandConfig } from './options.js'
import { artifactsReady, withReadiness } from './readiness.js'

export async function start(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('replica', command)
  const logger = createLogger('replica', config.logLevel, config.logFormat)
  let failure: Error | undefined
  const service = await ReplicaService.start(config, logger, (error) => {
    failure = error
    process.kill(process.pid, 'SIGTERM')
  })
  // A replica reads only the release's verification keys, to check the operator's against them.
  const artifacts = artifactsReady([])
  await runUntilSignal(withReadiness(service, artifacts), config.shutdownGraceMs, logger)
  if (failure !== undefined) process.exitCode = 1
}
