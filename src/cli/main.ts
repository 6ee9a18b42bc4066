/**
 * The `maci-anon` command line: operator, replica and voter roles. Exit status 0 on success,
 * 1 on a failure (one line on stderr, or a JSON object with --json), 2 on a usage error.
 */
import { Command, CommanderError } from 'commander'
import { ReactivationSessionError } from '../core/reactivation/errors.js'
import { KeystoreError } from '../crypto/keystore.js'
import { ConfigError } from '../daemon/config.js'
import { VERSION } from '../daemon/version.js'
import { MaciAnonError } from '../errors.js'
import { ChannelError } from '../mpc/channel.js'
import { releaseProverThreads } from '../zk/prover-threads.js'
import { ProtocolError, RemoteAbortError } from '../protocol/errors.js'
import { auditCommand } from './audit-command.js'
import { CliError, typedFields } from './errors.js'
import { operatorCommands } from './operator-commands.js'
import { toJson } from './output.js'
import { replicaCommands } from './replica-commands.js'
import { voterCommands } from './voter-commands.js'

export function buildProgram(): Command {
  const program = new Command('maci-anon')
    .description('Anonymization for MACI: operator daemon, replica node and voter light node over libp2p')
    .version(VERSION)
    .option('--config <path>', 'YAML or JSON config file (env MACI_ANON_CONFIG)')
    .option('--json', 'print results as JSON')
    .showHelpAfterError()
    .exitOverride()
  operatorCommands(program)
  replicaCommands(program)
  voterCommands(program)
  auditCommand(program)
  return program
}

/**
 * Errors whose message is meant for the user; anything else is a bug and keeps its stack.
 * The classes in modules the CLI loads anyway are named; the others by their code, since
 * their modules (libp2p, snarkjs) are loaded only by the commands that use them.
 */
const EXPECTED_CLASSES = [CliError, ConfigError, ChannelError, ProtocolError, ReactivationSessionError, KeystoreError]
const EXPECTED_CODES = new Set([
  'VOTER_KEYSTORE', // VoterKeystoreError
  'OPERATOR', // OperatorError
  'LEAF_LIST', // LeafListError and its subclasses
  'LOST_DEACTIVATION',
  'SPLIT_VIEW',
  'NO_INDEPENDENT_SOURCE',
  'REPLICA_UNAVAILABLE',
  'ANONYMITY_SET',
  'PEER_KEY', // PeerKeyError
  'VOTE_OPTION', // VoteOptionError
])

function isExpected(error: unknown): boolean {
  return EXPECTED_CLASSES.some((kind) => error instanceof kind) || (error instanceof MaciAnonError && EXPECTED_CODES.has(error.code))
}

function describeError(error: unknown): string {
  if (error instanceof RemoteAbortError) return `the peer ended the session (${error.remoteCode}): ${error.reason}`
  if (!(error instanceof Error)) return String(error)
  return isExpected(error) ? error.message : (error.stack ?? error.message)
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2
      return
    }
    const json = argv.includes('--json')
    const message = describeError(error)
    process.stderr.write(json ? `${toJson({ error: { message, ...typedFields(error) } })}\n` : `error: ${message}\n`)
    process.exitCode = 1
  } finally {
    // snarkjs leaves a pool of curve worker threads behind once it has proved or verified;
    // final: a pool some unfinished step of a failed session would build later is ended too.
    await releaseProverThreads({ final: true })
    // The command is over: whatever a failed session may still hold (a socket in its linger,
    // a worker) must not keep the process alive. Unref'd, so a clean exit is not delayed.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref()
  }
}

/** How long a finished command may take to flush its output and close before it is ended. */
const EXIT_GRACE_MS = 3_000

await main(process.argv)
