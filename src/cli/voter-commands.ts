/**
 * The `maci-anon voter …` commands and their flags. What they do is in voter-actions.ts,
 * imported only when a command runs, so that `--help` and `--version` load neither libp2p
 * nor snarkjs.
 */
import { Option, type Command } from 'commander'
import type { Config } from '../daemon/config.js'
import { withConfigFlags } from './options.js'

const NETWORK_KEYS: Array<keyof Config> = ['dataDir', 'passphrase', 'operatorAddress', 'replicaAddress', 'dialTimeoutMs']
const REACTIVATION_KEYS: Array<keyof Config> = [...NETWORK_KEYS, 'anonymitySet', 'reactivationDelayMaxMs', 'recoveryCooldownMs', 'reactivationSessionLimit']

const ALLOW_SINGLE_SOURCE_HELP =
  'reactivate even when no replica confirms the tree (env MACI_ANON_ALLOW_SINGLE_SOURCE). This gives up the split-view ' +
  'check: the operator alone vouches for the leaf list, so a malicious operator can hand you a fork of your own whose ' +
  'root, published by your membership proof, links your reactivation to you'

const actions = () => import('./voter-actions.js')

export function voterCommands(program: Command): void {
  const voter = program.command('voter').description('voter light node: keys, signup, deactivation, reactivation, votes')

  withConfigFlags(voter.command('keygen').description('create the keystore with a new MACI key'), ['dataDir', 'passphrase'])
    .option('--if-missing', 'if a keystore exists already, keep it and print its newest key instead of failing')
    .action(async (options: { ifMissing?: boolean }, command: Command) => (await actions()).keygen(options, command))

  withConfigFlags(
    voter
      .command('import-key')
      .argument('[key]', 'MACI private key, macisk.… (omit it to type it hidden on a terminal, or to pipe it on stdin: an argument shows in `ps`)')
      .description('import a MACI private key (macisk.…) as the current key, creating the keystore if there is none'),
    ['dataDir', 'passphrase'],
  )
    .option('--replace-current', 'if a keystore exists, add the key to it as the new current key (earlier keys and deactivation secrets stay)')
    .action(async (key: string | undefined, options: { replaceCurrent?: boolean }, command: Command) => (await actions()).importKey(key, options, command))

  withConfigFlags(voter.command('export-key').description('print a key in MACI’s format: macipk.…, and macisk.… with --private'), ['dataDir', 'passphrase'])
    .option('--key <index>', 'key to export (default: the current one)')
    .option('--private', 'also print the private key (macisk.…): whoever reads it can vote as you')
    .action(async (options: { key?: string; private?: boolean }, command: Command) => (await actions()).exportKey(options, command))

  withConfigFlags(voter.command('signup').description('sign up a key with the operator'), NETWORK_KEYS)
    .option('--key <index>', 'key to sign up (default: the newest)')
    .option('--if-missing', 'if the keystore records the key as signed up already, print its state index instead of signing up again')
    .action(async (options: { key?: string; ifMissing?: boolean }, command: Command) => (await actions()).signup(options, command))

  withConfigFlags(voter.command('deactivate').description('deactivate a key; keeps the secret for reactivation'), NETWORK_KEYS)
    .option('--key <index>', 'key to deactivate (default: the newest)')
    .action(async (options: { key?: string }, command: Command) => (await actions()).deactivate(options, command))

  withConfigFlags(voter.command('sync').description('fetch and check the whole leaf list (from the replica when set)'), NETWORK_KEYS).action(
    async (options: unknown, command: Command) => (await actions()).sync(options, command),
  )

  withConfigFlags(voter.command('reactivate').description('activate a new key from a deactivation, by the 2PC'), REACTIVATION_KEYS)
    .addOption(new Option('--allow-single-source', ALLOW_SINGLE_SOURCE_HELP))
    .option('--deactivation <index>', 'deactivation to use (default: the newest not yet used)')
    .action(async (options: { deactivation?: string }, command: Command) => (await actions()).reactivate(options, command))

  withConfigFlags(voter.command('vote').argument('<option>', 'vote option (a non-negative integer)').description('cast a vote'), NETWORK_KEYS)
    .option('--key <index>', 'key to vote with (default: the newest)')
    .action(async (option: string, options: { key?: string }, command: Command) => (await actions()).vote(option, options, command))

  withConfigFlags(voter.command('status').description('keys and deactivations in the keystore, and the operator’s counters'), NETWORK_KEYS).action(
    async (options: unknown, command: Command) => (await actions()).status(options, command),
  )
}
