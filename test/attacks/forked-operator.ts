/**
 * A malicious operator for the split-view and lost-deactivation attacks: the real operator
 * daemon (core, LevelDB, libp2p) whose signing key the test also holds, and raw sync servers
 * that serve any history the attacker builds from the real one, every root signed with that
 * key, as a malicious operator can.
 */
import { join } from 'node:path'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { signRoot } from '../../src/crypto/root-signature.js'
import { resolveConfig } from '../../src/daemon/config.js'
import { Metrics } from '../../src/daemon/metrics.js'
import type { Node } from '../../src/daemon/node.js'
import { Operator } from '../../src/daemon/operator.js'
import { OperatorService } from '../../src/daemon/operator-service.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { sessionObserver } from '../../src/daemon/session-observer.js'
import { LevelStore } from '../../src/store/level-store.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { submitDeactivation } from '../../src/protocol/message.js'
import { ProtocolServer } from '../../src/protocol/server.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { syncService, type SyncSource } from '../../src/protocol/sync.js'
import { localNode, silentLogger, temporaryDirectory } from '../network/helpers.js'

export interface SigningOperator {
  service: OperatorService
  operator: Operator
  /** The operator's signing key: what a malicious operator signs its forks with. */
  privateKey: Uint8Array
  address: ReturnType<OperatorService['host']['node']['getMultiaddrs']>[number]
  dataRoot: string
  stop: () => Promise<void>
}

export async function startSigningOperator(): Promise<SigningOperator> {
  const temp = await temporaryDirectory()
  const config = resolveConfig('operator', {
    flags: { dataDir: join(temp.path, 'operator'), listen: '/ip4/127.0.0.1/tcp/0', logLevel: 'silent', shutdownGraceMs: 1000 },
  })
  const state = dataPaths(config.dataDir).operatorState
  await Operator.initialize(state)
  const store = await LevelStore.open(state)
  const secrets = JSON.parse((await store.get('secret/operator')) ?? '{}') as { privateKey: string }
  await store.close()
  const service = await OperatorService.start(config, silentLogger())
  return {
    service,
    operator: service.operator,
    privateKey: Uint8Array.from(Buffer.from(secrets.privateKey, 'hex')),
    address: service.host.addresses[0],
    dataRoot: temp.path,
    stop: async () => {
      await service.stop(500)
      await temp.remove()
    },
  }
}

/** `count` signed-up keys deactivated once each (real leaves); returns their receipts. */
export async function deactivateFresh(client: Node, target: SigningOperator, count: number) {
  const params = target.operator.publicParameters()
  const receipts = []
  for (let i = 0; i < count; i++) {
    const keypair = generateKeypair()
    await requestSignup(client, target.address, keypair.publicKey)
    const deactivation = makeDeactivation(keypair, params)
    receipts.push({ ...(await submitDeactivation(client, target.address, deactivation.ciphertext)), deactivation, keypair })
  }
  return receipts
}

/** The operator's history with its leaves rewritten by `rewrite`, every root re-signed with the operator's key. */
export function forkedSource(target: SigningOperator, rewrite: (leaves: bigint[]) => bigint[]): SyncSource {
  const honest = target.operator
  const leaves = rewrite(honest.leaves(0, honest.status().deactivations))
  const tree = new IncrementalMerkleTree(honest.publicParameters().depth)
  const roots = leaves.map((leaf, i) => signRoot(target.privateKey, i + 1, tree.insert(leaf)))
  const log = leaves.map(() => Uint8Array.of(0))
  return {
    parameters: () => honest.publicParameters(),
    head: () => ({ leaves: leaves.length, log: leaves.length, roots: leaves.length, root: tree.root }),
    leaves: (from, to) => leaves.slice(from, to),
    log: (from, to) => log.slice(from, to),
    roots: (from, to) => roots.slice(from, to),
  }
}

/** The history with leaf `index` replaced by a random one. */
export const replaceLeaf = (index: number) => (leaves: bigint[]) => leaves.map((leaf, i) => (i === index ? randomFieldElement() : leaf))
/** The history without leaf `index`. */
export const dropLeaf = (index: number) => (leaves: bigint[]) => leaves.filter((_, i) => i !== index)

export interface RawSyncServer {
  address: ReturnType<Node['getMultiaddrs']>[number]
  stop: () => Promise<void>
}

/** A bare sync server for `source` on 127.0.0.1, as a lying operator or replica would run. */
export async function serveSync(source: SyncSource): Promise<RawSyncServer> {
  const node = await localNode()
  const server = new ProtocolServer(node, sessionObserver(silentLogger(), new Metrics('attacker')))
  await server.mount(syncService(source))
  return {
    address: node.getMultiaddrs()[0],
    stop: async () => {
      await server.stop(100)
      await node.stop()
    },
  }
}
