import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { signRoot } from '../../src/crypto/root-signature.js'
import { resolveConfig } from '../../src/daemon/config.js'
import { Metrics } from '../../src/daemon/metrics.js'
import type { Node } from '../../src/daemon/node.js'
import { ReplicaService } from '../../src/daemon/replica.js'
import { InconsistentDataError, ReplicaMirror } from '../../src/daemon/replica-mirror.js'
import { sessionObserver } from '../../src/daemon/session-observer.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { submitDeactivation } from '../../src/protocol/message.js'
import { ProtocolServer } from '../../src/protocol/server.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { SyncClient, syncService, type SyncSource } from '../../src/protocol/sync.js'
import { startOperator, type RunningOperator } from './fixtures.js'
import { localNode, silentLogger, temporaryDirectory, until } from './helpers.js'

describe('replica mirror', () => {
  const vkeyHashes = { membership: 'm', leafOpening: 'l' }

  it('stores only the verified prefix of an update and reopens it from LevelDB', async () => {
    const temp = await temporaryDirectory()
    const directory = join(temp.path, 'mirror')
    const mirror = await ReplicaMirror.open(directory)
    const depth = 20
    const operatorKeys = generateKeypair()
    await mirror.adoptParameters({ operatorPublicKey: operatorKeys.publicKey, keyCommitment: 7n, depth, vkeyHashes, voteOptions: 4 })
    const tree = new IncrementalMerkleTree(depth)
    const leaves = [randomFieldElement(), randomFieldElement(), randomFieldElement()]
    const roots = leaves.map((leaf, i) => signRoot(operatorKeys.privateKey, i + 1, tree.insert(leaf)))
    roots[2] = signRoot(operatorKeys.privateKey, 3, randomFieldElement())
    await expect(mirror.append({ leaves, roots, log: leaves.map(() => Uint8Array.of(1)) })).rejects.toBeInstanceOf(InconsistentDataError)
    expect(mirror.size).toBe(2)
    await expect(
      mirror.adoptParameters({ operatorPublicKey: generateKeypair().publicKey, keyCommitment: 8n, depth, vkeyHashes, voteOptions: 4 }),
    ).rejects.toBeInstanceOf(InconsistentDataError)
    await mirror.close()

    const reopened = await ReplicaMirror.open(directory)
    expect(reopened.size).toBe(2)
    expect(reopened.roots(0, 2)).toEqual(roots.slice(0, 2))
    expect(reopened.head().root).toBe(roots[1].root)
    await reopened.close()
    await temp.remove()
  })

  it('refuses a root whose signature is not the operator’s, even when the leaves produce it', async () => {
    const temp = await temporaryDirectory()
    const mirror = await ReplicaMirror.open(join(temp.path, 'mirror'))
    await mirror.adoptParameters({ operatorPublicKey: generateKeypair().publicKey, keyCommitment: 7n, depth: 20, vkeyHashes, voteOptions: 4 })
    const leaf = randomFieldElement()
    const root = IncrementalMerkleTree.fromLeaves(20, [leaf]).root
    const forged = signRoot(generateKeypair().privateKey, 1, root)
    await expect(mirror.append({ leaves: [leaf], roots: [forged], log: [Uint8Array.of(1)] })).rejects.toThrow(/signature/)
    expect(mirror.size).toBe(0)
    await mirror.close()
    await temp.remove()
  })
})

describe('replica daemon', () => {
  let operator: RunningOperator
  let client: Node
  beforeAll(async () => {
    ;[operator, client] = await Promise.all([startOperator(), localNode(false)])
  })
  afterAll(async () => {
    await client.stop()
    await operator.stop()
  })

  async function startReplica(operatorAddress: string) {
    const temp = await temporaryDirectory()
    const config = resolveConfig('replica', {
      flags: { dataDir: temp.path, listen: '/ip4/127.0.0.1/tcp/0', operatorAddress, syncIntervalMs: 100, logLevel: 'silent' },
    })
    const failures: Error[] = []
    const replica = await ReplicaService.start(config, silentLogger(), (error) => failures.push(error))
    return { replica, config, failures, remove: temp.remove }
  }

  it('follows the operator, serves the same leaves and roots, and keeps them across restarts', async () => {
    const params = operator.service.operator.publicParameters()
    for (let i = 0; i < 3; i++) {
      const keypair = generateKeypair()
      await requestSignup(client, operator.address, keypair.publicKey)
      await submitDeactivation(client, operator.address, makeDeactivation(keypair, params).ciphertext)
    }
    const { replica, config, failures, remove } = await startReplica(operator.address.toString())
    const expected = operator.service.operator.status()
    await until(() => replica.mirror.size === expected.deactivations)

    const sync = await SyncClient.open(client, replica.host.addresses[0])
    const head = await sync.head()
    expect(head).toMatchObject({ leaves: expected.deactivations, root: expected.root })
    expect(await sync.leaves(0, head.leaves)).toEqual(operator.service.operator.leaves(0, head.leaves))
    expect(await sync.roots(0, head.roots)).toEqual(operator.service.operator.signedRoots(0, head.roots))
    expect(await sync.parameters()).toEqual(params)
    await sync.close()
    await replica.stop(1000)

    const restarted = await ReplicaService.start(config, silentLogger(), (error) => failures.push(error))
    expect(restarted.mirror.size).toBe(expected.deactivations)
    expect(restarted.mirror.root).toBe(expected.root)
    await restarted.stop(1000)
    expect(failures).toEqual([])
    await remove()
  })

  it('refuses a leaf list that does not match the published roots', async () => {
    const honest = operator.service.operator
    const size = honest.status().deactivations
    const forged = honest.leaves(0, size).map((leaf, i) => (i === size - 1 ? randomFieldElement() : leaf))
    const lying: SyncSource = {
      parameters: () => honest.publicParameters(),
      head: () => ({ leaves: size, log: size, roots: size, root: honest.status().root }),
      leaves: (from, to) => forged.slice(from, to),
      log: (from, to) => honest.deactivationLog(from, to),
      roots: (from, to) => honest.signedRoots(from, to),
    }
    const liar = await localNode()
    const server = new ProtocolServer(liar, sessionObserver(silentLogger(), new Metrics('liar')))
    await server.mount(syncService(lying))

    const { replica, failures, remove } = await startReplica(liar.getMultiaddrs()[0].toString())
    const inconsistent = async () => (await replica.host.metrics.replicaRounds.get()).values.find((v) => v.labels.outcome === 'inconsistent')?.value ?? 0
    let rounds = 0
    await until(() => {
      void inconsistent().then((value) => (rounds = value))
      return rounds > 0
    })
    expect(replica.mirror.size).toBe(size - 1)
    expect(failures).toEqual([])
    await replica.stop(1000)
    await server.stop(100)
    await liar.stop()
    await remove()
  })
})
