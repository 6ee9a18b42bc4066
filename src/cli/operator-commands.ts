/**
 * The `maci-anon operator …` commands and their flags. What they do is in
 * operator-actions.ts, imported only when a command runs, so that `--help` and `--version`
 * load neither libp2p nor snarkjs.
 */
import type { Command } from 'commander'
import { NODE_KEYS, withConfigFlags } from './options.js'

const actions = () => import('./operator-actions.js')

export function operatorCommands(program: Command): void {
  const operator = program.command('operator').description('run and administer the operator (coordinator)')

  withConfigFlags(operator.command('init').description('create the operator state: keys, leaf key K, its commitment and the poll options'), [
    'dataDir',
    'depth',
    'voteOptions',
  ]).action(async (options: unknown, command: Command) => (await actions()).init(options, command))

  withConfigFlags(operator.command('start').description('run the operator daemon until SIGINT/SIGTERM'), [...NODE_KEYS, 'depth', 'voteOptions'])
    .option('--init', 'initialise the data directory first if it is empty')
    .action(async (options: { init?: boolean }, command: Command) => (await actions()).start(options, command))

  // The read-only commands ask the running daemon over <data-dir>/admin.sock and read the
  // stopped daemon's files when none answers; --dial-timeout-ms bounds the connection.
  withConfigFlags(operator.command('status').description("the operator's public counters (from the running daemon, else its files)"), [
    'dataDir',
    'dialTimeoutMs',
  ]).action(
    async (options: unknown, command: Command) => (await actions()).status(options, command),
  )

  withConfigFlags(operator.command('tally').description('count the votes of active keys (from the running daemon, else its files)'), [
    'dataDir',
    'dialTimeoutMs',
  ]).action(
    async (options: unknown, command: Command) => (await actions()).tally(options, command),
  )

  withConfigFlags(
    operator.command('export-proofs').argument('<dir>', 'output directory').description(
      "write each accepted reactivation's two proofs, public signals and vkeys for snarkjs (by the running daemon, else from its files)",
    ),
    ['dataDir', 'dialTimeoutMs'],
  ).action(async (dir: string, options: unknown, command: Command) => (await actions()).exportProofs(dir, options, command))
}
