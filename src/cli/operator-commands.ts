/**
 * `maci-anon operator init|start|status|tally|export-proofs`. The daemon owns the LevelDB
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
import { runUntilSignal } from './daemon-runner.js'
import { CliError } from './errors.js'
import { commandConfig, isJson, NODE_KEYS, withConfigFlags } from './options.js'
import { printResult, table } from './output.js'

export function operatorCommands(program: Command): void {
  const operator = program.command('operator').description('run and administer the operator (coordinator)')

  withConfigFlags(operator.command('init').description('create the operator state: keys, leaf key K, its commitment and the poll options'), [
    'dataDir',
    'depth',
    'voteOptions',
  ]).action(async (_options, command: Command) => {
    const config = await commandConfig('operator', command)
    const result = await initialize(config)
    printResult(isJson(command), result, table(Object.entries(result)))
  })

  withConfigFlags(operator.command('start').description('run the operator daemon until SIGINT/SIGTERM'), [...NODE_KEYS, 'depth', 'voteOptions'])
    .option('--init', 'initialise the data directory first if it is empty')
    .action(async (options: { init?: boolean }, command: Command) => {
      const config = await commandConfig('operator', command)
      if (options.init === true && !existsSync(dataPaths(config.dataDir).operatorState)) await initialize(config)
      const logger = createLogger('operator', config.logLevel)
      const service = await OperatorService.start(config, logger)
      await runUntilSignal(service, config.shutdownGraceMs, logger)
    })

  withConfigFlags(operator.command('status').description("the operator's public counters"), ['dataDir', 'listen', 'dialTimeoutMs'])
    .action(async (_options, command: Command) => {
      const config = await commandConfig('operator', command)
      const status = await currentStatus(config)
      printResult(isJson(command), { ...status }, table(Object.entries(status)))
    })

  withConfigFlags(operator.command('tally').description('count the votes of active keys (daemon stopped)'), ['dataDir']).action(
    async (_options, command: Command) => {
      const config = await commandConfig('operator', command)
      const tally = await withOperator(config, (core) => core.tally())
      const options = Object.keys(tally.counts).sort((a, b) => Number(a) - Number(b))
      const rows: Array<[string, unknown]> = options.map((option) => [`option ${option}`, tally.counts[option]])
      rows.push(['counted votes', tally.countedVotes], ['ignored votes', tally.ignoredVotes])
      printResult(isJson(command), { ...tally }, table(rows))
    },
  )

  withConfigFlags(
    operator.command('export-proofs').argument('<dir>', 'output directory').description(
      "write each accepted reactivation's two proofs, public signals and vkeys for snarkjs (daemon stopped)",
    ),
    ['dataDir'],
  ).action(async (dir: string, _options, command: Command) => {
    const config = await commandConfig('operator', command)
    const directory = resolve(dir)
    const exported = await withOperator(config, (core) => core.exportProofs(directory))
    printResult(isJson(command), { exported, directory }, `exported ${exported} activations to ${directory}`)
  })
}

async function initialize(config: Config): Promise<Record<string, string | number>> {
  const paths = dataPaths(config.dataDir)
  const params: PublicParameters = await Operator.initialize(paths.operatorState, { depth: config.depth, voteOptions: config.voteOptions })
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

async function withOperator<T>(config: Config, task: (operator: Operator) => Promise<T>): Promise<T> {
  let operator: Operator
  try {
    operator = await Operator.open(dataPaths(config.dataDir).operatorState)
  } catch (error) {
    if (error instanceof StoreError && /lock/i.test(error.message)) {
      throw new CliError('the operator daemon is running on this data directory; stop it first')
    }
    throw error
  }
  try {
    return await task(operator)
  } finally {
    await operator.close()
  }
}
