/**
 * Attack 8 of issue 8: lost deactivations. A lying operator (or a replica serving its
 * history) drops or replaces the voter's leaf; every root of that history is signed with
 * the operator's real key, so only the voter's own receipt can tell. The voter checks the
 * receipt (leaf, index, root) against every list it syncs and refuses one that lost or
 * changed it, naming the index: in its sync code, and through the real CLI (`voter sync`,
 * `voter reactivate`) against a real operator daemon's forked history.
 * On the old code the voter never compared its receipt with the list: `voter sync` printed
 * the forked list, and `voter reactivate` went on to the 2PC.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../../scripts/lib/local-cluster.js'
import { randomFieldElement } from '../../src/crypto/field.js'
import { dataPaths } from '../../src/daemon/paths.js'
import type { Node } from '../../src/daemon/node.js'
import { AnonymousClient, LostDeactivationError, type StoredReceipt } from '../../src/daemon/voter-client.js'
import { saveVoterState } from '../../src/daemon/voter-keystore.js'
import type { SyncSource } from '../../src/protocol/sync.js'
import { localNode, temporaryDirectory } from '../network/helpers.js'
import { deactivateFresh, dropLeaf, forkedSource, replaceLeaf, serveSync, startSigningOperator, type RawSyncServer, type SigningOperator } from './forked-operator.js'

describe('attack 8: lost deactivations', () => {
  let target: SigningOperator
  let client: Node
  let receipt: StoredReceipt
  let voterSecrets: Awaited<ReturnType<typeof deactivateFresh>>[number]
  const servers: RawSyncServer[] = []

  async function serve(source: SyncSource) {
    const server = await serveSync(source)
    servers.push(server)
    return server
  }

  /** The voter's sync, with the lying server as its operator and as its replica. */
  async function syncFrom(source: SyncSource) {
    const server = await serve(source)
    const voter = await AnonymousClient.start({ operator: server.address, replicas: [server.address], dialTimeoutMs: 5_000 })
    try {
      return await voter.syncTree(target.operator.publicParameters(), { receipts: [receipt], replicaAttempts: 2, replicaRetryMs: 100 })
    } finally {
      await voter.stop()
    }
  }

  beforeAll(async () => {
    ;[target, client] = await Promise.all([startSigningOperator(), localNode(false)])
    const receipts = await deactivateFresh(client, target, 6)
    voterSecrets = receipts[2]
    receipt = { leafIndex: voterSecrets.index, leaf: voterSecrets.leaf, root: voterSecrets.root }
  })

  afterAll(async () => {
    for (const server of servers) await server.stop()
    await client.stop()
    await target.stop()
  })

  it('accepts the honest history', async () => {
    const tree = await syncFrom(forkedSource(target, (leaves) => leaves))
    expect(tree.leaves[2]).toBe(receipt.leaf)
  })

  it.each([
    ['dropped', dropLeaf(2), 'missing'],
    ['replaced', replaceLeaf(2), 'missing'],
    ['moved one place on', (leaves: bigint[]) => [randomFieldElement(), ...leaves], 'changed'],
    ['kept, under a changed earlier leaf', replaceLeaf(0), 'changed'],
    ['cut off before it', (leaves: bigint[]) => leaves.slice(0, 2), 'missing'],
  ])('refuses a list in which its leaf is %s', async (_what, rewrite, reason) => {
    const attempt = syncFrom(forkedSource(target, rewrite))
    await expect(attempt).rejects.toBeInstanceOf(LostDeactivationError)
    await expect(attempt).rejects.toMatchObject({ leafIndex: 2, reason, message: expect.stringContaining('leaf index 2') })
  })

  it('voter sync and voter reactivate refuse the list, naming the index', async () => {
    const liar = await serve(forkedSource(target, dropLeaf(2)))
    const temp = await temporaryDirectory()
    const dataDir = join(temp.path, 'voter')
    await mkdir(dataDir, { mode: 0o700 })
    const passphrase = 'attack-8-passphrase'
    await saveVoterState(dataPaths(dataDir).voterKeystore, passphrase, {
      keys: [{ keypair: voterSecrets.keypair, origin: 'keygen', stateIndex: 2 }],
      deactivations: [
        {
          keyIndex: 0,
          secret: voterSecrets.deactivation.secret,
          commitment: voterSecrets.deactivation.commitment,
          ...receipt,
        },
      ],
      pending: [],
    })
    const env = {
      MACI_ANON_DATA_DIR: dataDir,
      MACI_ANON_PASSPHRASE: passphrase,
      MACI_ANON_OPERATOR: liar.address.toString(),
      MACI_ANON_REPLICA: liar.address.toString(),
      MACI_ANON_ANONYMITY_SET: '0',
      MACI_ANON_REACTIVATION_DELAY_MAX_MS: '0',
    }
    const cluster = new LocalCluster()
    for (const command of [
      ['voter', 'sync'],
      ['voter', 'reactivate'],
    ]) {
      const result = await cluster.run(command, env)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/has lost your deactivation at leaf index 2/)
      expect(result.stdout).toBe('')
    }
    await temp.remove()
  })
})
