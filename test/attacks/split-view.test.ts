/**
 * Attack 4 of issue 8 (P2, malicious operator): split view. The operator gives one voter a
 * fork of its leaf list (here: one leaf replaced, every root re-signed with the operator's
 * real key, as the operator can), so the root in that voter's membership proof names it.
 * Against the real operator daemon and real replica daemons over libp2p, with the voter's
 * real sync code:
 * - with the fork as its only source the voter refuses, unless it opts in explicitly;
 * - a fork served by a "replica" the operator runs, or as the operator's own leaves, is
 *   caught against an honest replica's signed root;
 * - a replica following the fork and comparing with an honest peer records the
 *   equivocation (LevelDB, a file, its metrics, an error log) and stops serving roots.
 * On the old code, roots were unsigned, replicas compared nothing, and the voter took the
 * operator's list when no replica answered: every assertion below failed.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import {
  decodeSignedRoot,
  encodeSignedRoot,
  isEquivocation,
  signRoot,
  SignedRootError,
  SIGNED_ROOT_BYTES,
  verifySignedRoot,
} from '../../src/crypto/root-signature.js'
import { resolveConfig } from '../../src/daemon/config.js'
import type { Node } from '../../src/daemon/node.js'
import { ReplicaService } from '../../src/daemon/replica.js'
import { AnonymousClient, NoIndependentSourceError, ReplicaUnavailableError, SplitViewError, type VoterEndpoints } from '../../src/daemon/voter-client.js'
import { ProtocolError } from '../../src/protocol/errors.js'
import { SyncClient, type SyncSource } from '../../src/protocol/sync.js'
import { localNode, silentLogger, temporaryDirectory, until } from '../network/helpers.js'
import { deactivateFresh, forkedSource, replaceLeaf, serveSync, startSigningOperator, type RawSyncServer, type SigningOperator } from './forked-operator.js'

describe('signed roots', () => {
  const keys = generateKeypair()

  it('sign, verify, encode in 128 bytes and decode at a position', () => {
    const signed = signRoot(keys.privateKey, 5, 1234n)
    expect(verifySignedRoot(keys.publicKey, signed)).toBe(true)
    const bytes = encodeSignedRoot(signed)
    expect(bytes.length).toBe(SIGNED_ROOT_BYTES)
    expect(decodeSignedRoot(bytes, 5)).toEqual(signed)
    // The size is bound by the signature: the same bytes at another position do not verify.
    expect(verifySignedRoot(keys.publicKey, decodeSignedRoot(bytes, 6))).toBe(false)
    expect(verifySignedRoot(generateKeypair().publicKey, signed)).toBe(false)
    expect(() => decodeSignedRoot(bytes.subarray(1), 5)).toThrow(SignedRootError)
    expect(() => decodeSignedRoot(new Uint8Array(SIGNED_ROOT_BYTES).fill(0xff), 5)).toThrow(SignedRootError)
  })

  it('two valid signatures on different roots for one size are an equivocation, nothing else is', () => {
    const a = signRoot(keys.privateKey, 3, 1n)
    const b = signRoot(keys.privateKey, 3, 2n)
    expect(isEquivocation(keys.publicKey, a, b)).toBe(true)
    expect(isEquivocation(keys.publicKey, a, signRoot(keys.privateKey, 3, 1n))).toBe(false)
    expect(isEquivocation(keys.publicKey, a, signRoot(keys.privateKey, 4, 2n))).toBe(false)
    expect(isEquivocation(keys.publicKey, a, signRoot(generateKeypair().privateKey, 3, 2n))).toBe(false)
  })
})

describe('attack 4: split view', () => {
  let target: SigningOperator
  let client: Node
  let honestReplica: ReplicaService
  let fork: SyncSource
  const servers: RawSyncServer[] = []
  const cleanups: Array<() => Promise<void>> = []

  async function startReplica(operatorAddress: string, peerReplicas: string[] = [], logger = silentLogger()) {
    const temp = await temporaryDirectory()
    const config = resolveConfig('replica', {
      flags: { dataDir: temp.path, listen: '/ip4/127.0.0.1/tcp/0', operatorAddress, peerReplicas, syncIntervalMs: 100, logLevel: 'silent' },
    })
    const replica = await ReplicaService.start(config, logger, (error) => {
      throw error
    })
    cleanups.push(async () => {
      await replica.stop(500)
      await temp.remove()
    })
    return { replica, config, dataDir: temp.path }
  }

  async function serve(source: SyncSource) {
    const server = await serveSync(source)
    servers.push(server)
    return server
  }

  async function syncAs(endpoints: Omit<VoterEndpoints, 'dialTimeoutMs'>, allowSingleSource = false) {
    const voter = await AnonymousClient.start({ ...endpoints, dialTimeoutMs: 5_000 })
    try {
      const params = target.operator.publicParameters()
      return await voter.syncTree(params, { allowSingleSource, replicaAttempts: 2, replicaRetryMs: 100 })
    } finally {
      await voter.stop()
    }
  }

  beforeAll(async () => {
    ;[target, client] = await Promise.all([startSigningOperator(), localNode(false)])
    await deactivateFresh(client, target, 6)
    ;({ replica: honestReplica } = await startReplica(target.address.toString()))
    await until(() => honestReplica.mirror.size === 6)
    fork = forkedSource(target, replaceLeaf(3))
  })

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup()
    for (const server of servers) await server.stop()
    await client.stop()
    await target.stop()
  })

  it('a voter whose only source is the forking operator refuses, unless it opts in', async () => {
    const operator = await serve(fork)
    const refused = syncAs({ operator: operator.address, replicas: [] })
    await expect(refused).rejects.toBeInstanceOf(NoIndependentSourceError)
    await expect(refused).rejects.toThrow(/--allow-single-source/)
    // The opt-in takes the operator's word, and says so: no confirmation.
    const taken = await syncAs({ operator: operator.address, replicas: [] }, true)
    expect(taken).toMatchObject({ source: 'operator', confirmations: 0 })
  })

  it('a fork from a replica the operator runs is caught against an honest replica, in either order', async () => {
    const lyingReplica = await serve(fork)
    const honest = honestReplica.host.addresses[0]
    for (const replicas of [
      [lyingReplica.address, honest],
      [honest, lyingReplica.address],
    ]) {
      const attempt = syncAs({ operator: target.address, replicas })
      await expect(attempt).rejects.toBeInstanceOf(SplitViewError)
      await expect(attempt).rejects.toMatchObject({ reason: 'EQUIVOCATION' })
    }
    // Without the liar the same voter syncs and proves against the replica's signed root.
    const tree = await syncAs({ operator: target.address, replicas: [honest] })
    expect(tree).toMatchObject({ source: 'replica', confirmations: 1, root: target.operator.status().root })
    expect(tree.signed.size).toBe(6)
  })

  it('a configured replica that is kept busy stops the voter, rather than leave the lying one to vouch alone', async () => {
    // The operator's own replica serves the fork; the honest one is made to look full.
    const lyingReplica = await serve(fork)
    const busy = await serve({
      parameters: () => {
        throw new ProtocolError('UNAVAILABLE', 'the node runs its maximum of 32 sync sessions: busy, retry in 116 s')
      },
      head: () => fork.head(),
      leaves: (from, to) => fork.leaves(from, to),
      log: (from, to) => fork.log(from, to),
      roots: (from, to) => fork.roots(from, to),
    })
    const attempt = syncAs({ operator: target.address, replicas: [lyingReplica.address, busy.address] })
    await expect(attempt).rejects.toBeInstanceOf(ReplicaUnavailableError)
    await expect(attempt).rejects.toThrow(/every configured replica must confirm the tree/)
  })

  it("leaves from the operator need a replica's signed root for that size: a forked list is refused", async () => {
    // A replica that serves roots but not leaves, so the voter takes the leaves from the operator.
    const honest = target.operator
    const rootsOnly = await serve({
      parameters: () => honest.publicParameters(),
      head: () => {
        const size = honest.status().deactivations
        return { leaves: size, log: size, roots: size, root: honest.status().root }
      },
      leaves: () => {
        throw new ProtocolError('UNAVAILABLE', 'leaves withheld')
      },
      log: (from, to) => honest.deactivationLog(from, to),
      roots: (from, to) => honest.signedRoots(from, to),
    })
    const forkingOperator = await serve(fork)
    const attempt = syncAs({ operator: forkingOperator.address, replicas: [rootsOnly.address] })
    await expect(attempt).rejects.toMatchObject({ name: 'SplitViewError', reason: 'EQUIVOCATION' })
    // The honest operator's leaves pass the same check.
    const tree = await syncAs({ operator: target.address, replicas: [rootsOnly.address] })
    expect(tree).toMatchObject({ source: 'operator', confirmations: 1 })
  })

  it('a replica fed the fork records the equivocation against its honest peer and stops serving roots', async () => {
    const forkingOperator = await serve(fork)
    const lines: Array<Record<string, unknown>> = []
    const logger = pino(
      { level: 'error' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
          done()
        },
      }),
    )
    const { replica, dataDir } = await startReplica(forkingOperator.address.toString(), [honestReplica.host.addresses[0].toString()], logger)
    await until(() => replica.mirror.equivocations.length > 0)

    const [proof] = replica.mirror.equivocations
    // Leaf 3 differs, so the first tree size with two signed roots is 4.
    expect(proof.size).toBe(4)
    const operatorKey = target.operator.publicParameters().operatorPublicKey
    expect(isEquivocation(operatorKey, proof.held, proof.other)).toBe(true)
    expect(proof.other.root).toBe(target.operator.signedRoots(3, 4)[0].root)

    // Published as a file anyone can check with the operator's public key alone.
    const file = (await readdir(dataDir)).find((name) => name.startsWith('equivocation-'))
    expect(file).toBe('equivocation-4.json')
    const published = JSON.parse(await readFile(join(dataDir, file as string), 'utf8')) as { held: { encoded: string }; other: { encoded: string } }
    const decode = (hex: string) => decodeSignedRoot(Buffer.from(hex, 'hex'), 4)
    expect(isEquivocation(operatorKey, decode(published.held.encoded), decode(published.other.encoded))).toBe(true)

    expect(lines.some((line) => line.level === 50 && String(line.msg).includes('the operator equivocated') && line.size === 4)).toBe(true)
    expect(await replica.host.metrics.registry.metrics()).toMatch(/maci_anon_replica_equivocations\{role="replica"\} 1/)

    const sync = await SyncClient.open(client, replica.host.addresses[0])
    await expect(sync.roots(0, 1)).rejects.toMatchObject({ remoteCode: 'UNAVAILABLE', reason: expect.stringMatching(/equivocated/) })
    await sync.close()
    // A voter that counts on this replica stops.
    await expect(syncAs({ operator: target.address, replicas: [replica.host.addresses[0]] })).rejects.toMatchObject({
      name: 'SplitViewError',
      reason: 'EQUIVOCATION',
    })

    // The proof is in LevelDB: it survives a restart, and so does the refusal.
    await replica.stop(500)
    cleanups.splice(cleanups.length - 1, 1)
    const config = resolveConfig('replica', {
      flags: { dataDir, listen: '/ip4/127.0.0.1/tcp/0', operatorAddress: forkingOperator.address.toString(), logLevel: 'silent' },
    })
    const restarted = await ReplicaService.start(config, silentLogger(), (error) => {
      throw error
    })
    expect(restarted.mirror.equivocations.map((held) => held.size)).toEqual([4])
    expect(() => restarted.mirror.roots(0, 1)).toThrow(/equivocated/)
    await restarted.stop(500)
  })
})
