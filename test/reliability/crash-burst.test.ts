/**
 * Issue 12 acceptance: kill -9 of the operator process in the middle of a burst of
 * concurrent deactivations. Every deactivation the operator acknowledged must be in the
 * restarted operator's log exactly once, at the index of its receipt, with the receipt's
 * leaf and root; the roots must be those of the stored leaves; and sending again what got
 * no answer (as `voter deactivate` does for a pending deactivation) must add each such
 * ciphertext at most once.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, type DaemonProcess } from '../../scripts/lib/local-cluster.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { Operator } from '../../src/daemon/operator.js'
import { type DeactivationReceipt } from '../../src/core/operator-state.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { AnonymousClient, type VoterEndpoints } from '../../src/daemon/voter-client.js'
import { makeDeactivation } from '../../src/core/voter.js'

const VOTERS = 48
const CLIENTS = 8
/** Acknowledgements to wait for before the kill: well into the burst, well before its end. */
const KILL_AFTER = 16

describe('kill -9 during a burst of concurrent deactivations', () => {
  let root: string
  let cluster: LocalCluster
  let env: Record<string, string>
  let endpoints: VoterEndpoints
  let operator: DaemonProcess

  const start = async () => {
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], env)
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-crash-burst-'))
    cluster = new LocalCluster()
    const port = await freePort()
    env = { MACI_ANON_DATA_DIR: join(root, 'operator'), MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}` }
    await start()
    endpoints = { operator: multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${operator.peerId}`), replicas: [], dialTimeoutMs: 10_000 }
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('keeps every acknowledged deactivation exactly once, and a re-send adds nothing twice', async () => {
    const keys = Array.from({ length: VOTERS }, () => generateKeypair())
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => AnonymousClient.start(endpoints)))
    const params = await clients[0].parameters()
    for (const [i, keypair] of keys.entries()) await clients[i % CLIENTS].signup(keypair.publicKey)
    const ciphertexts = keys.map((keypair) => makeDeactivation(keypair, params).ciphertext)

    const acknowledged = new Map<number, DeactivationReceipt>()
    let killed: Promise<number | null> | undefined
    // Each client sends its share one after another; together they are CLIENTS in flight.
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = c; i < VOTERS; i += CLIENTS) {
          try {
            acknowledged.set(i, await client.deactivate(ciphertexts[i]))
          } catch {
            return
          }
          if (acknowledged.size === KILL_AFTER) killed = operator.stop('SIGKILL')
        }
      }),
    )
    await Promise.all(clients.map((client) => client.stop()))
    expect(await killed).toBe(null)
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(acknowledged.size).toBeLessThan(VOTERS)

    const state = await Operator.open(dataPaths(env.MACI_ANON_DATA_DIR).operatorState)
    const logged = state.status().deactivations
    const log = state.deactivationLog(0, logged).map((bytes) => Buffer.from(bytes).toString('hex'))
    const leaves = state.leaves(0, logged)
    const roots = state.rootHistory()
    await state.close()
    expect(new Set(log).size).toBe(log.length)
    for (const [i, receipt] of acknowledged) {
      expect(log.indexOf(Buffer.from(ciphertexts[i]).toString('hex'))).toBe(receipt.index)
      expect(leaves[receipt.index]).toBe(receipt.leaf)
      expect(roots[receipt.index]).toBe(receipt.root)
    }
    roots.forEach((root, i) => expect(root).toBe(IncrementalMerkleTree.fromLeaves(params.depth, leaves.slice(0, i + 1)).root))

    // The restarted daemon: re-sending everything answers what is logged and appends the rest once.
    await start()
    const client = await AnonymousClient.start(endpoints)
    try {
      for (const [i, ciphertext] of ciphertexts.entries()) {
        const receipt = await client.deactivate(ciphertext)
        const before = acknowledged.get(i)
        if (before !== undefined) expect(receipt).toEqual(before)
      }
      expect((await client.status()).deactivations).toBe(VOTERS)
    } finally {
      await client.stop()
    }
  }, 240_000)
})
