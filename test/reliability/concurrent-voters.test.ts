/**
 * Issue 12, item 1: connection admission. A real operator process, with the default
 * connection settings, and 20 voters starting at the same moment, each command (signup,
 * then deactivate) on a fresh libp2p identity and so a fresh connection, as the CLI does.
 * libp2p's own default (5 new connections per second per address) refused most of them
 * with ECONNRESET; every one must succeed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, type DaemonProcess } from '../../scripts/lib/local-cluster.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { AnonymousClient, type VoterEndpoints } from '../../src/daemon/voter-client.js'
import { makeDeactivation } from '../../src/core/voter.js'

const VOTERS = 20

describe('20 voters at once against a real operator process', () => {
  let root: string
  let cluster: LocalCluster
  let operator: DaemonProcess
  let endpoints: VoterEndpoints

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-concurrent-'))
    cluster = new LocalCluster()
    const port = await freePort()
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], {
      MACI_ANON_DATA_DIR: join(root, 'operator'),
      MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}`,
    })
    endpoints = { operator: multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${operator.peerId}`), replicas: [], dialTimeoutMs: 15_000 }
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  /** One CLI command: a fresh identity, one task, thrown away. */
  async function command<T>(task: (client: AnonymousClient) => Promise<T>): Promise<T> {
    const client = await AnonymousClient.start(endpoints)
    try {
      return await task(client)
    } finally {
      await client.stop()
    }
  }

  it('signs up and deactivates every one of them', async () => {
    const keys = Array.from({ length: VOTERS }, () => generateKeypair())
    const outcomes = await Promise.allSettled(
      keys.map(async (keypair) => {
        const { stateIndex } = await command((client) => client.signup(keypair.publicKey))
        const receipt = await command(async (client) => client.deactivate(makeDeactivation(keypair, await client.parameters()).ciphertext))
        return { stateIndex, receipt }
      }),
    )
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []))
    expect(failures).toEqual([])
    const done = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<{ stateIndex: number; receipt: { index: number } }>).value)
    expect(new Set(done.map((entry) => entry.stateIndex)).size).toBe(VOTERS)
    expect(done.map((entry) => entry.receipt.index).sort((a, b) => a - b)).toEqual(Array.from({ length: VOTERS }, (_, i) => i))
    const status = await command((client) => client.status())
    expect(status).toMatchObject({ signups: VOTERS, deactivations: VOTERS })
  })
})
