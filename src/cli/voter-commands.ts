/**
 * `maci-anon voter keygen|signup|deactivate|sync|reactivate|vote|status`. Keys and
 * deactivation secrets live in the encrypted keystore; every network step is one short-lived
 * light node. `reactivate` prints only the operator's fixed acknowledgement, so its output
 * is the same whether the deactivation behind it was valid or not (DESIGN P1).
 *
 * signup, deactivate, vote and status speak with the voter's persistent peer identity;
 * sync and reactivate each use a fresh one, for every read and for the 2PC (DESIGN 2.5).
 */
import { randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Option, type Command } from 'commander'
import { generateKeypair, publicKeyToString } from '../crypto/keys.js'
import type { Config } from '../daemon/config.js'
import type { PublicParameters } from '../daemon/operator.js'
import { dataPaths } from '../daemon/paths.js'
import { makeDeactivation, makeVote } from '../daemon/voter.js'
import { AnonymousClient, checkAnonymitySet, VoterClient, type TreeSyncOptions, type VerifiedTree, type VoterEndpoints } from '../daemon/voter-client.js'
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
  triples: '2PC: Beaver triples by oblivious transfer',
  'shared-hash': '2PC: shared Poseidon H(K, c, i)',
  'validity-bit': '2PC: validity bit by garbled circuit',
  proof: '2PC: collaborative Groth16 proof',
  submit: 'sealing and submitting',
}

const NETWORK_KEYS: Array<keyof Config> = ['dataDir', 'passphrase', 'operatorAddress', 'replicaAddress', 'dialTimeoutMs']
const REACTIVATION_KEYS: Array<keyof Config> = [...NETWORK_KEYS, 'anonymitySet', 'reactivationDelayMaxMs']

const ALLOW_SINGLE_SOURCE_HELP =
  'reactivate even when no replica confirms the tree (env MACI_ANON_ALLOW_SINGLE_SOURCE). This gives up the split-view ' +
  'check: the operator alone vouches for the leaf list, so a malicious operator can hand you a fork of your own whose ' +
  'root, published by your membership proof, links your reactivation to you'

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
      const state = await loadVoterState(context.keystore, context.passphrase)
      const progress = new Progress()
      // A check, not a proof: with no replica it reports the operator's word as such (0 confirmations).
      const synced = await withFreshClient(context, async (client) =>
        syncWithProgress(client, await client.parameters(), progress, { receipts: state.deactivations, allowSingleSource: true }),
      )
      const result = { leaves: synced.leaves.length, root: synced.root, source: synced.source, confirmations: synced.confirmations }
      printResult(context.json, result, table(Object.entries(result)))
    })

  withConfigFlags(voter.command('reactivate').description('activate a new key from a deactivation, by the 2PC'), REACTIVATION_KEYS)
    .addOption(new Option('--allow-single-source', ALLOW_SINGLE_SOURCE_HELP))
    .option('--deactivation <index>', 'deactivation to use (default: the newest not yet used)')
    .action(async (options: { deactivation?: string }, command: Command) => {
      const context = await voterContext(command)
      const { config } = context
      const state = await loadVoterState(context.keystore, context.passphrase)
      const deactivation = pickDeactivation(state, options.deactivation)
      const progress = new Progress()
      // One fresh identity for everything this reactivation reads and for the 2PC.
      const { acknowledgement } = await withFreshClient(context, async (client) => {
        const params = await client.parameters()
        const tree = await syncWithProgress(client, params, progress, {
          receipts: state.deactivations,
          allowSingleSource: config.allowSingleSource,
        })
        progress.note(
          tree.confirmations > 0
            ? `${tree.leaves.length} leaves; their root carries the operator's signature, confirmed by ${tree.confirmations} replica(s)`
            : `${tree.leaves.length} leaves; confirmed by no replica (--allow-single-source)`,
        )
        checkAnonymitySet(tree.leaves.length, deactivation.leafIndex, config.anonymitySet)
        progress.note(`anonymity set: ${tree.leaves.length - deactivation.leafIndex - 1} leaves follow yours (at least ${config.anonymitySet} required)`)
        const newKeypair = generateKeypair()
        // Saved before the session: if the session completes but the reply is lost, the key is not.
        state.keys.push({ keypair: newKeypair, origin: 'reactivation' })
        deactivation.reactivatedAs = state.keys.length - 1
        await saveVoterState(context.keystore, context.passphrase, state)
        try {
          // Loaded here only: the session pulls in the MPC engine and circuit artifacts.
          const { prepareVoterReactivation } = await import('../protocol/reactivation-session.js')
          progress.begin('membership proof (voter alone, before the session: the operator checks it first)')
          const prepared = prepareVoterReactivation({
            secret: deactivation.secret,
            leafIndex: deactivation.leafIndex,
            leaves: tree.leaves,
            newPublicKey: newKeypair.publicKey,
            params,
          })
          await prepared.membership
          progress.end()
          // After the proof, so the delay hides the proof's own duration too.
          await randomDelay(config.reactivationDelayMaxMs, progress)
          const ack = await client.reactivate(prepared, {
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

function endpoints(config: Config): VoterEndpoints {
  if (config.operatorAddress === undefined) throw new CliError('operatorAddress is not configured')
  return {
    operator: multiaddr(config.operatorAddress),
    replicas: config.replicaAddress.map((address) => multiaddr(address)),
    dialTimeoutMs: config.dialTimeoutMs,
  }
}

/** A task on the voter's persistent identity. */
async function withClient<T>(context: VoterContext, task: (client: VoterClient) => Promise<T>): Promise<T> {
  const client = await VoterClient.start(endpoints(context.config), dataPaths(context.config.dataDir).peerKey)
  try {
    return await task(client)
  } finally {
    await client.stop()
  }
}

/** A task on a fresh identity that is thrown away afterwards. */
async function withFreshClient<T>(context: VoterContext, task: (client: AnonymousClient) => Promise<T>): Promise<T> {
  const client = await AnonymousClient.start(endpoints(context.config))
  try {
    return await task(client)
  } finally {
    await client.stop()
  }
}

async function syncWithProgress(
  client: AnonymousClient,
  params: PublicParameters,
  progress: Progress,
  options: Pick<TreeSyncOptions, 'receipts' | 'allowSingleSource'>,
): Promise<VerifiedTree> {
  progress.begin('syncing the full leaf list and cross-checking its signed root (fresh peer identity)')
  try {
    const synced = await client.syncTree(params, {
      ...options,
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

/**
 * Waits a uniformly random time in [0, maxMs] (node:crypto), so the moment of the 2PC does
 * not follow from the moment of the sync.
 */
async function randomDelay(maxMs: number, progress: Progress): Promise<void> {
  const delayMs = randomInt(0, maxMs + 1)
  progress.begin(`waiting ${(delayMs / 1000).toFixed(1)} s before the 2PC (random delay, at most ${(maxMs / 1000).toFixed(1)} s)`)
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  progress.end()
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
