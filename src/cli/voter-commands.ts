/**
 * `maci-anon voter keygen|signup|deactivate|sync|reactivate|vote|status`. Keys and
 * deactivation secrets live in the encrypted keystore; every network step is one short-lived
 * light node. `reactivate` prints only the operator's fixed acknowledgement, so its output
 * is the same whether the deactivation behind it was valid or not (DESIGN P1).
 */
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { generateKeypair, publicKeyToString } from '../crypto/keys.js'
import type { Config } from '../daemon/config.js'
import { dataPaths } from '../daemon/paths.js'
import { makeDeactivation, makeVote } from '../daemon/voter.js'
import { VoterClient } from '../daemon/voter-client.js'
import {
  currentKey,
  keystoreExists,
  loadVoterState,
  saveVoterState,
  type VoterDeactivation,
  type VoterState,
} from '../daemon/voter-keystore.js'
import type { ReactivationPhase } from '../protocol/reactivation-session.js'
import { CliError } from './errors.js'
import { commandConfig, isJson, withConfigFlags } from './options.js'
import { printResult, table, toJson } from './output.js'
import { formatBytes, Progress } from './progress.js'

const PHASE_LABELS: Record<ReactivationPhase, string> = {
  handshake: '2PC: handshake with the operator (fresh peer identity)',
  triples: '2PC: Beaver triples by oblivious transfer (membership proof alongside)',
  'shared-hash': '2PC: shared Poseidon H(K, c)',
  'validity-bit': '2PC: validity bit by garbled circuit',
  proof: '2PC: collaborative Groth16 proof',
  submit: 'sealing and submitting',
}

const NETWORK_KEYS: Array<keyof Config> = ['dataDir', 'passphrase', 'operatorAddress', 'replicaAddress', 'dialTimeoutMs']

interface VoterContext {
  config: Config
  keystore: string
  passphrase: string
  json: boolean
}

export function voterCommands(program: Command): void {
  const voter = program.command('voter').description('voter light node: keys, signup, deactivation, reactivation, votes')

  withConfigFlags(voter.command('keygen').description('create the keystore with a new MACI key'), ['dataDir', 'passphrase']).action(
    async (_options, command: Command) => {
      const context = await voterContext(command)
      if (await keystoreExists(context.keystore)) throw new CliError(`a keystore already exists at ${context.keystore}`)
      await mkdir(dirname(context.keystore), { recursive: true, mode: 0o700 })
      const keypair = generateKeypair()
      await saveVoterState(context.keystore, context.passphrase, { keys: [{ keypair, origin: 'keygen' }], deactivations: [] })
      const result = { publicKey: publicKeyToString(keypair.publicKey), keystore: context.keystore }
      printResult(context.json, result, table(Object.entries(result)))
    },
  )

  withConfigFlags(voter.command('signup').description('sign up a key with the operator'), NETWORK_KEYS)
    .option('--key <index>', 'key to sign up (default: the newest)')
    .action(async (options: { key?: string }, command: Command) => {
      const context = await voterContext(command)
      const state = await loadVoterState(context.keystore, context.passphrase)
      const index = keyIndex(state, options.key)
      const { stateIndex } = await withClient(context, (client) => client.signup(state.keys[index].keypair.publicKey))
      state.keys[index].stateIndex = stateIndex
      await saveVoterState(context.keystore, context.passphrase, state)
      printResult(context.json, { key: index, stateIndex }, table([['key', index], ['state index', stateIndex]]))
    })

  withConfigFlags(voter.command('deactivate').description('deactivate a key; keeps the secret for reactivation'), NETWORK_KEYS)
    .option('--key <index>', 'key to deactivate (default: the newest)')
    .action(async (options: { key?: string }, command: Command) => {
      const context = await voterContext(command)
      const state = await loadVoterState(context.keystore, context.passphrase)
      const index = keyIndex(state, options.key)
      const receipt = await withClient(context, async (client) => {
        const deactivation = makeDeactivation(state.keys[index].keypair, await client.parameters())
        const receipt = await client.deactivate(deactivation.ciphertext)
        state.deactivations.push({
          keyIndex: index,
          secret: deactivation.secret,
          commitment: deactivation.commitment,
          leafIndex: receipt.index,
          leaf: receipt.leaf,
          root: receipt.root,
        })
        return receipt
      })
      await saveVoterState(context.keystore, context.passphrase, state)
      const result = { deactivation: state.deactivations.length - 1, leafIndex: receipt.index, leaf: receipt.leaf, root: receipt.root }
      printResult(context.json, result, table(Object.entries(result)))
    })

  withConfigFlags(voter.command('sync').description('fetch and check the whole leaf list (from the replica when set)'), NETWORK_KEYS)
    .action(async (_options, command: Command) => {
      const context = await voterContext(command)
      const progress = new Progress()
      const synced = await withClient(context, async (client) => {
        const params = await client.parameters()
        return syncWithProgress(client, params.depth, progress)
      })
      const result = { leaves: synced.leaves.length, root: synced.root, source: synced.source }
      printResult(context.json, result, table(Object.entries(result)))
    })

  withConfigFlags(voter.command('reactivate').description('activate a new key from a deactivation, by the 2PC'), NETWORK_KEYS)
    .option('--deactivation <index>', 'deactivation to use (default: the newest not yet used)')
    .action(async (options: { deactivation?: string }, command: Command) => {
      const context = await voterContext(command)
      const state = await loadVoterState(context.keystore, context.passphrase)
      const deactivation = pickDeactivation(state, options.deactivation)
      const progress = new Progress()
      const { acknowledgement } = await withClient(context, async (client) => {
        const params = await client.parameters()
        const synced = await syncWithProgress(client, params.depth, progress, deactivation.leafIndex + 1)
        const newKeypair = generateKeypair()
        // Saved before the session: if the session completes but the reply is lost, the key is not.
        state.keys.push({ keypair: newKeypair, origin: 'reactivation' })
        deactivation.reactivatedAs = state.keys.length - 1
        await saveVoterState(context.keystore, context.passphrase, state)
        try {
          const input = {
            secret: deactivation.secret,
            leafIndex: deactivation.leafIndex,
            leaves: synced.leaves,
            newPublicKey: newKeypair.publicKey,
            params,
          }
          const ack = await client.reactivate(input, {
            onPhase: (phase) => progress.begin(PHASE_LABELS[phase]),
            onTraffic: (stats) => progress.update(trafficLine(stats)),
          })
          progress.end()
          return ack
        } catch (error) {
          progress.fail()
          throw error
        }
      })
      printResult(context.json, { acknowledgement }, `reactivation submitted: ${acknowledgement}`)
    })

  withConfigFlags(voter.command('vote').argument('<option>', 'vote option (a non-negative integer)').description('cast a vote'), NETWORK_KEYS)
    .option('--key <index>', 'key to vote with (default: the newest)')
    .action(async (option: string, options: { key?: string }, command: Command) => {
      const context = await voterContext(command)
      const state = await loadVoterState(context.keystore, context.passphrase)
      const index = keyIndex(state, options.key)
      const choice = parseIndex(option, 'vote option')
      const { index: voteIndex } = await withClient(context, async (client) =>
        client.vote(makeVote(state.keys[index].keypair, await client.parameters(), choice)),
      )
      const rows: Array<[string, unknown]> = [
        ['key', index],
        ['option', choice],
        ['vote index', voteIndex],
      ]
      printResult(context.json, { key: index, option: choice, vote: voteIndex }, table(rows))
    })

  withConfigFlags(voter.command('status').description('keys and deactivations in the keystore, and the operator’s counters'), NETWORK_KEYS)
    .action(async (_options, command: Command) => {
      const context = await voterContext(command)
      const state = await loadVoterState(context.keystore, context.passphrase)
      const keys = state.keys.map((key, index) => ({
        index,
        publicKey: publicKeyToString(key.keypair.publicKey),
        origin: key.origin,
        stateIndex: key.stateIndex,
      }))
      const deactivations = state.deactivations.map((entry, index) => ({
        index,
        key: entry.keyIndex,
        leafIndex: entry.leafIndex,
        reactivatedAs: entry.reactivatedAs,
      }))
      const remote = await withClient(context, async (client) => ({ peerId: client.peerId, operator: await client.status() })).catch(
        (error: Error) => ({ peerId: undefined, operator: { unreachable: error.message } }),
      )
      const lines = [
        ...keys.map((key) => {
          const signedUp = key.stateIndex === undefined ? '' : `, state index ${key.stateIndex}`
          return `key ${key.index} (${key.origin}${signedUp}): ${key.publicKey}`
        }),
        ...deactivations.map((entry) => {
          const attempt = entry.reactivatedAs === undefined ? '' : `, reactivation attempted as key ${entry.reactivatedAs}`
          return `deactivation ${entry.index}: key ${entry.key}, leaf ${entry.leafIndex}${attempt}`
        }),
        `operator: ${toJson(remote.operator).replace(/\s+/g, ' ')}`,
      ]
      printResult(context.json, { keys, deactivations, ...remote }, lines.join('\n'))
    })
}

async function voterContext(command: Command): Promise<VoterContext> {
  const config = await commandConfig('voter', command)
  if (config.passphrase === undefined) throw new CliError('the keystore passphrase is needed: set MACI_ANON_PASSPHRASE or --passphrase')
  return { config, keystore: resolve(dataPaths(config.dataDir).voterKeystore), passphrase: config.passphrase, json: isJson(command) }
}

async function withClient<T>(context: VoterContext, task: (client: VoterClient) => Promise<T>): Promise<T> {
  const { config } = context
  if (config.operatorAddress === undefined) throw new CliError('operatorAddress is not configured')
  const client = await VoterClient.start(
    {
      operator: multiaddr(config.operatorAddress),
      replica: config.replicaAddress === undefined ? undefined : multiaddr(config.replicaAddress),
      dialTimeoutMs: config.dialTimeoutMs,
    },
    dataPaths(config.dataDir).peerKey,
  )
  try {
    return await task(client)
  } finally {
    await client.stop()
  }
}

async function syncWithProgress(client: VoterClient, depth: number, progress: Progress, need = 0) {
  progress.begin('syncing the full leaf list')
  try {
    const synced = await client.syncLeaves(depth, {
      need,
      onProgress: (_kind, done, total) => progress.update(`${done}/${total} leaves`),
      onNote: (message) => progress.note(message),
    })
    progress.end()
    return synced
  } catch (error) {
    progress.fail()
    throw error
  }
}

function trafficLine(stats: { bytesSent: number; bytesReceived: number; messagesSent: number; messagesReceived: number }): string {
  return `${stats.messagesSent + stats.messagesReceived} messages, ${formatBytes(stats.bytesSent + stats.bytesReceived)}`
}

function parseIndex(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a non-negative integer`)
  return Number(text)
}

function keyIndex(state: VoterState, text: string | undefined): number {
  if (text === undefined) return currentKey(state).index
  const index = parseIndex(text, '--key')
  if (index >= state.keys.length) throw new CliError(`the keystore has no key ${index}`)
  return index
}

function pickDeactivation(state: VoterState, text: string | undefined): VoterDeactivation {
  if (text !== undefined) {
    const entry = state.deactivations[parseIndex(text, '--deactivation')]
    if (entry === undefined) throw new CliError(`the keystore has no deactivation ${text}`)
    return entry
  }
  const unused = state.deactivations.filter((entry) => entry.reactivatedAs === undefined).at(-1)
  if (unused === undefined) throw new CliError('no deactivation left to reactivate (run "voter deactivate")')
  return unused
}
