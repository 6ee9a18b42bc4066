/**
 * What `maci-anon operator init|start|status|tally|export-proofs` do, loaded when one of them
 * runs (operator-commands.ts declares them and their flags). The daemon owns the LevelDB
 * directory while it runs (LevelDB allows one process), so status, tally and export-proofs
 * ask the running daemon over its admin socket (src/daemon/admin-socket.ts) first, and open
 * the directory themselves only when no daemon answers; their output says which it was.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Command } from 'commander'
import { publicKeyToString } from '../crypto/keys.js'
import { encodePublicKey } from '../crypto/maci-key-format.js'
import { AdminSocketError, adminRequest, adminSocketPath, type AdminRequest } from '../daemon/admin-socket.js'
import type { Config } from '../daemon/config.js'
import { createLogger } from '../daemon/logger.js'
import { loadOrCreatePeerKey } from '../daemon/node.js'
import { Operator } from '../daemon/operator.js'
import { type PublicParameters } from '../core/parameters.js'
import { type Tally } from '../core/tally.js'
import { OperatorService, operatorStatus } from '../daemon/operator-service.js'
import { dataPaths } from '../daemon/paths.js'
import { exportProofs as exportProofsOf } from '../daemon/proof-export.js'
import { StoreError } from '../core/records.js'
import { artifactsOf } from '../zk/artifacts.js'
import { runUntilSignal } from './daemon-runner.js'
import { artifactsReady, withReadiness } from './readiness.js'
import { CliError } from './errors.js'
import { commandConfig, isJson } from './options.js'
import { printResult, table, type Printable } from './output.js'

/** Where a read-only command's answer came from: the running daemon, or the stopped daemon's files. */
type Source = 'daemon' | 'offline'

/** Said under an offline answer, so that no one takes the stopped daemon's files for a live daemon. */
const OFFLINE_NOTE = "offline: read from the stopped daemon's files (no daemon answers on its admin socket)"

/** The daemon's refusal, or a socket that cannot be reached, as one line with the daemon's code. */
class AdminCliError extends CliError {
  constructor(code: string, message: string) {
    super(message, code)
  }
}

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
  const logger = createLogger('operator', config.logLevel, config.logFormat)
  const service = await OperatorService.start(config, logger).catch((error: unknown) => {
    throw oneLine(error, config)
  })
  // The 2PC proves leaf openings from all of that circuit's files; the vkeys verify proofs.
  const files = [...Object.values(artifactsOf('leaf_opening')), artifactsOf('membership').vkey]
  const artifacts = artifactsReady(files, service.operator.publicParameters().vkeyHashes)
  await runUntilSignal(withReadiness(service, artifacts), config.shutdownGraceMs, logger)
}

export async function status(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const { source, result } = await fromDaemonOrOffline(config, { op: 'status' }, async (core) => ({ ...operatorStatus(core) }))
  print(command, source, result, table(Object.entries(result)))
}

export async function tally(_options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const { source, result } = await fromDaemonOrOffline(config, { op: 'tally' }, async (core) => ({ ...(await core.tally()) }))
  const { counts, countedVotes, ignoredVotes } = result as unknown as Tally
  const options = Object.keys(counts).sort((a, b) => Number(a) - Number(b))
  const rows: Array<[string, unknown]> = options.map((option) => [`option ${option}`, counts[option]])
  rows.push(['counted votes', countedVotes], ['ignored votes', ignoredVotes])
  print(command, source, result, table(rows))
}

export async function exportProofs(dir: string, _options: unknown, command: Command): Promise<void> {
  const config = await commandConfig('operator', command)
  const directory = resolve(dir)
  const { source, result } = await fromDaemonOrOffline(config, { op: 'export-proofs', dir: directory }, async (core) => ({
    exported: await exportProofsOf(core, directory),
    directory,
  }))
  print(command, source, result, `exported ${String(result.exported)} activations to ${directory}`)
}

function print(command: Command, source: Source, result: Printable, text: string): void {
  printResult(isJson(command), { ...result, source }, source === 'offline' ? `${text}\n${OFFLINE_NOTE}` : text)
}

async function initialize(config: Config): Promise<Record<string, string | number>> {
  const paths = dataPaths(config.dataDir)
  const params: PublicParameters = await Operator.initialize(paths.operatorState, { depth: config.depth, voteOptions: config.voteOptions }).catch(
    (error: unknown) => {
      throw oneLine(error, config)
    },
  )
  const peerKey = await loadOrCreatePeerKey(paths.peerKey)
  return {
    dataDir: resolve(config.dataDir),
    peerId: peerIdFromPrivateKey(peerKey).toString(),
    operatorPublicKey: publicKeyToString(params.operatorPublicKey),
    operatorMacipk: encodePublicKey(params.operatorPublicKey),
    keyCommitment: params.keyCommitment.toString(),
    depth: params.depth,
    membershipVkeyHash: params.vkeyHashes.membership,
    leafOpeningVkeyHash: params.vkeyHashes.leafOpening,
    voteOptions: params.voteOptions,
  }
}

/**
 * Ask the running daemon over its admin socket; if none answers there, open the stopped
 * daemon's state. The missing-directory check comes first, so a mistyped --data-dir gets the
 * same one line whether or not anything runs.
 */
async function fromDaemonOrOffline(
  config: Config,
  request: AdminRequest,
  offline: (operator: Operator) => Promise<Printable>,
): Promise<{ source: Source; result: Printable }> {
  // Checked first, also because LevelDB would create an empty database in a mistyped directory.
  const state = existingState(config, 'check --data-dir or MACI_ANON_DATA_DIR')
  const answer = await adminRequest(adminSocketPath(config.dataDir), request, config.dialTimeoutMs).catch((error: unknown) => {
    throw oneLine(error, config)
  })
  if (answer !== undefined) return { source: 'daemon', result: answer as Printable }
  const operator = await Operator.open(state).catch((error: unknown) => {
    throw oneLine(error, config)
  })
  try {
    return { source: 'offline', result: await offline(operator) }
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

/**
 * LevelDB's lock failure (one process per database) and the admin socket's errors as one
 * sentence; any other error as it is.
 */
function oneLine(error: unknown, config: Config): unknown {
  if (error instanceof AdminSocketError) return new AdminCliError(error.code, error.detail)
  if (!(error instanceof StoreError && /lock/i.test(error.message))) return error
  return new CliError(`the data directory ${resolve(config.dataDir)} is in use: an operator daemon is running on it; stop it first`)
}
