/**
 * `maci-anon replica start`: mirror the operator's public data and serve it. What it does is
 * in replica-actions.ts, imported only when it runs.
 */
import type { Command } from 'commander'
import { NODE_KEYS, withConfigFlags } from './options.js'

export function replicaCommands(program: Command): void {
  const replica = program.command('replica').description('run a replica of the operator’s public data')
  withConfigFlags(replica.command('start').description('follow the operator and serve sync until SIGINT/SIGTERM'), [
    ...NODE_KEYS,
    'operatorAddress',
    'syncIntervalMs',
  ]).action(async (options: unknown, command: Command) => (await import('./replica-actions.js')).start(options, command))
}
