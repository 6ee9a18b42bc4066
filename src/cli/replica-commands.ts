/** `maci-anon replica start`: mirror the operator's public data and serve it. */
import type { Command } from 'commander'
import { createLogger } from '../daemon/logger.js'
import { ReplicaService } from '../daemon/replica.js'
import { runUntilSignal } from './daemon-runner.js'
import { commandConfig, NODE_KEYS, withConfigFlags } from './options.js'

export function replicaCommands(program: Command): void {
  const replica = program.command('replica').description('run a replica of the operator’s public data')
  withConfigFlags(replica.command('start').description('follow the operator and serve sync until SIGINT/SIGTERM'), [
    ...NODE_KEYS,
    'operatorAddress',
    'syncIntervalMs',
  ]).action(async (_options, command: Command) => {
    const config = await commandConfig('replica', command)
    const logger = createLogger('replica', config.logLevel)
    let failure: Error | undefined
    const service = await ReplicaService.start(config, logger, (error) => {
      failure = error
      process.kill(process.pid, 'SIGTERM')
    })
    await runUntilSignal(service, config.shutdownGraceMs, logger)
    if (failure !== undefined) process.exitCode = 1
  })
}
