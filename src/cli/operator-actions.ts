/**
 * What `maci-anon operator init|start|status|tally|export-proofs` do, loaded when one of them
 * runs (operator-commands.ts declares them and their flags). The daemon owns the LevelDB
 * directory while it runs; tally and export-proofs open it directly and so need the daemon
 * stopped (LevelDB allows one process), while status asks the running daemon first.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { publicKeyToString } from '../crypto/keys.js'
import type { Config } from '../daemon/config.js'
import { createLogger } from '../daemon/logger.js'
import { createNode, ephemeralPeerKey, loadOrCreatePeerKey } from '../daemon/node.js'
import { Operator, type PublicParameters } from '../daemon/operator.js'
import { OperatorService, operatorStatus } from '../daemon/operator-service.js'
import { dataPaths } from '../daemon/paths.js'
import { StoreError } from '../daemon/store.js'
import { requestStatus, type NodeStatus } from '../protocol/status.js'
import { artifactsOf } from '../zk/artifacts.js'
import { runUntilSignal } from './daemon-runner.js'
import { artifactsReady, withReadiness } from './readiness.js'
import { CliError } from './errors.js'
import { commandConfig, isJson } from './options.js'
import { printResult, table } from './output.js'

export async function init(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const result = await initialize(config)
  printResult(isJson(command), result, table(Object.entries(result)))
}

export async function start(options: { init?: boolean }, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  if (options.init === true && !existsSync(dataPaths(config.dataDir).operatorState)) await initialize(config)
  // Not left to LevelDB, which would create an empty database that a later --init takes for an initialised one.
  existingState(config, 'run "maci-anon operator start --init", or "operator init" first')
  const logger = createLogger('operator', config.logLevel)
  const service = await OperatorService.start(config, logger).catch((error: unknown) => {
    throw inUse(error, config)
  })
  // The 2PC proves leaf openings from all of that circuit's files; the vkeys verify proofs.
  const files = [...Object.values(artifactsOf('leaf_opening')), artifactsOf('membership').vkey]
  const artifacts = artifactsReady(files, service.operator.publicParameters().vkeyHashes)
  await runUntilSignal(withReadiness(service, artifacts), config.shutdownGraceMs, logger)
}

export async function status(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const status = await currentStatus(config)
  printResult(isJson(command), { ...status }, table(Object.entries(status)))
}

export async function tally(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const tally = await withOperator(config, (core) => core.tally())
  const options = Object.keys(tally.counts).sort((a, b) => Number(a) - Number(b))
  const rows: Array<[string, unknown]> = options.map((option) => [`option ${option}`, tally.counts[option]])
  rows.push(['counted votes', tally.countedVotes], ['ignored votes', tally.ignoredVotes])
  printResult(isJson(command), { ...tally }, table(rows))
}

export async function exportProofs(dir: string, _options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const directory = resolve(dir)
  const exported = await withOperator(config, (core) => core.exportProofs(directory))
  printResult(isJson(command), { exported, directory }, `exported ${exported} activations to ${directory}`)
}

async function initialize(config: Config): Promise<Record<string, string | number>> {
  const paths = dataPaths(config.dataDir)
  const params: PublicParameters = await Operator.initialize(paths.operatorState, { depth: config.depth, voteOptions: config.voteOptions }).catch(
    (error: unknown) => {
      throw inUse(error, config)
    },
  )
  const peerKey = await loadOrCreatePeerKey(paths.peerKey)
  return {
    dataDir: resolve(config.dataDir),
    peerId: peerIdFromPrivateKey(peerKey).toString(),
    operatorPublicKey: publicKeyToString(params.operatorPublicKey),
    keyCommitment: params.keyCommitment.toString(),
    depth: params.depth,
    membershipVkeyHash: params.vkeyHashes.membership,
    leafOpeningVkeyHash: params.vkeyHashes.leafOpening,
    voteOptions: params.voteOptions,
  }
}

/** Ask the running daemon; if none answers, read the stopped daemon's state directly. */
async function currentStatus(config: Config): Promise<NodeStatus> {
  const address = config.listen[0]
  if (address !== undefined) {
    const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [] })
    try {
      const local = multiaddr(address.replace('/ip4/0.0.0.0/', '/ip4/127.0.0.1/'))
      return await requestStatus(node, local, { dialTimeoutMs: config.dialTimeoutMs })
    } catch {
      // Not running (or not reachable here): fall through to the offline read.
    } finally {
      await node.stop()
    }
  }
  return withOperator(config, async (core) => operatorStatus(core))
}

/**
 * Opens the stopped daemon's state. Read-only commands (status, tally, export-proofs) check
 * that it exists first: LevelDB would create an empty database in a mistyped directory.
 */
async function withOperator<T>(config: Config, task: (operator: Operator) => Promise<T>): Promise<T> {
  const operator = await Operator.open(existingState(config, 'check --data-dir or MACI_ANON_DATA_DIR')).catch((error: unknown) => {
    throw inUse(error, config)
  })
  try {
    return await task(operator)
  } finally {
    await operator.close()
  }
}

/** The operator's LevelDB directory, which must exist; `hint` says what to do when it does not. */
function existingState(config: Config, hint: string): string {
  const directory = dataPaths(config.dataDir).operatorState
  if (!existsSync(directory)) throw new CliError(`no operator state in ${resolve(config.dataDir)}: ${hint}`)
  return directory
}

/** LevelDB's lock failure (one process per database) as one sentence; any other error as it is. */
function inUse(error: unknown, config: Config): unknown {
  if (!(error instanceof StoreError && /lock/i.test(error.message))) return error
  return new CliError(`the data directory ${resolve(config.dataDir)} is in use: an operator daemon is running on it; stop it first`)
}
