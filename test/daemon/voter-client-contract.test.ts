/**
 * The rest of the voter client's contract (src/daemon/voter-client.ts), issue 14, beside the
 * checks of voter-checks.test.ts: the names the CLI matches errors on and the messages that
 * tell the voter what to do; which failures of a replica stop the voter and which make it
 * take the leaves from elsewhere; the dial deadline and the retry delay it is given; and that
 * it closes every sync session it opens (a session left open holds one of a replica's slots,
 * and stays tied to this identity). Replicas are raw sync servers over the operator core run
 * in this process, so each one's answers are exactly what the test says.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { signRoot } from '../../src/crypto/root-signature.js'
import { Metrics } from '../../src/daemon/metrics.js'
import type { Node } from '../../src/daemon/node.js'
import { Operator } from '../../src/daemon/operator.js'
import { sessionObserver } from '../../src/daemon/session-observer.js'
import { makeDeactivation, type Deactivation } from '../../src/core/voter.js'
import {
  AnonymitySetError,
  AnonymousClient,
  BUSY_RETRY_MS,
  checkAnonymitySet,
  LeafListError,
  LostDeactivationError,
  NoIndependentSourceError,
  ReplicaUnavailableError,
  SplitViewError,
  STOP_TIMEOUT_MS,
  type StoredReceipt,
  type TreeSyncOptions,
  type VoterEndpoints,
} from '../../src/daemon/voter-client.js'
import { busyReason, ProtocolError } from '../../src/protocol/errors.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../../src/core/reactivation/voter-session.js'
import { SyncQuery, SyncRequest, SyncResponse } from '../../src/protocol/generated/schema.js'
import { PROTOCOLS } from '../../src/protocol/ids.js'
import { ProtocolServer, type ProtocolService } from '../../src/protocol/server.js'
import type { StreamChannel } from '../../src/protocol/stream-channel.js'
import { syncService, type SyncSource } from '../../src/protocol/sync.js'
import { localNode, silentLogger, until } from '../network/helpers.js'
import { temporaryDirectory } from '../operator/helpers.js'
import { honestSource, syncWith as syncWithReplicas } from './fixtures/sync-with.js'

const LEAVES = 6

interface WatchedServer {
  address: ReturnType<typeof multiaddr>
  server: ProtocolServer
  stop: () => Promise<void>
}

/** A sync server on its own node, whose running sessions the test can count. */
async function serveWatched(service: ProtocolService): Promise<WatchedServer> {
  const node = await localNode()
  const server = new ProtocolServer(node, sessionObserver(silentLogger(), new Metrics('test')))
  await server.mount(service)
  return {
    address: node.getMultiaddrs()[0],
    server,
    stop: async () => {
      await server.stop(100)
      await node.stop()
    },
  }
}

/** The sync service over `source`, with each response to a leaves query rewritten by `rewrite`. */
function rewritingLeaves(source: SyncSource, rewrite: (response: SyncResponse) => SyncResponse): ProtocolService {
  const inner = syncService(source)
  return {
    name: 'sync',
    serve: (channel, context) => {
      let query: SyncQuery | undefined
      const wrapped = {
        receive: async (options?: { timeoutMs?: number; maxBytes?: number }) => {
          const bytes = await channel.receive(options)
          query = SyncRequest.decode(bytes).query
          return bytes
        },
        send: (message: Uint8Array) => channel.send(query === SyncQuery.LEAVES ? SyncResponse.encode(rewrite(SyncResponse.decode(message))) : message),
      }
      return inner.serve(wrapped as unknown as StreamChannel, context)
    },
  }
}

describe("the voter client's errors, fallbacks, deadlines and sessions", () => {
  let operator: Operator
  let remove: () => Promise<void>
  let honest: SyncSource
  let operatorServer: WatchedServer
  let honestServer: WatchedServer
  const servers: WatchedServer[] = []
  const receipts: StoredReceipt[] = []
  const deactivations: Deactivation[] = []

  async function serve(source: SyncSource | ProtocolService): Promise<WatchedServer> {
    const server = await serveWatched('serve' in source ? source : syncService(source))
    servers.push(server)
    return server
  }
  const lying = (overrides: Partial<SyncSource>): SyncSource => ({ ...honest, ...overrides })
  const idle = (...watched: WatchedServer[]) => until(() => watched.every(({ server }) => server.activeSessions === 0), 3_000)

  const syncWith = (replicas: WatchedServer[], options: TreeSyncOptions = {}, endpoints: Partial<VoterEndpoints> = {}) =>
    syncWithReplicas(operatorServer.address, operator.publicParameters(), replicas, options, endpoints)

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    remove = temp.remove
    const directory = join(temp.path, 'operator')
    await Operator.initialize(directory)
    operator = await Operator.open(directory)
    for (let i = 0; i < LEAVES; i++) {
      const keypair = generateKeypair()
      await operator.signup(keypair.publicKey)
      const deactivation = makeDeactivation(keypair, operator.publicParameters())
      deactivations.push(deactivation)
      const receipt = await operator.submitDeactivation(deactivation.ciphertext)
      receipts.push({ leafIndex: receipt.index, leaf: receipt.leaf, root: receipt.root })
    }
    honest = honestSource(operator, LEAVES)
    operatorServer = await serve(honest)
    honestServer = await serve(honest)
  })

  afterAll(async () => {
    for (const server of servers) await server.stop()
    await operator.close()
    await remove()
    await releaseProverThreads()
  })

  describe('errors', () => {
    it('carry the names the CLI recognises them by', () => {
      expect(new LeafListError('x').name).toBe('LeafListError')
      expect(new NoIndependentSourceError('x').name).toBe('NoIndependentSourceError')
      expect(new ReplicaUnavailableError('/ip4/1.2.3.4/tcp/1', new Error('x')).name).toBe('ReplicaUnavailableError')
      expect(new AnonymitySetError(0, 1, 'x').name).toBe('AnonymitySetError')
      expect(new SplitViewError('MISMATCH', 'x').name).toBe('SplitViewError')
      expect(new LostDeactivationError(0, 'missing', 'x').name).toBe('LostDeactivationError')
      for (const error of [new NoIndependentSourceError('x'), new ReplicaUnavailableError('r', new Error('x')), new AnonymitySetError(0, 1, 'x')]) {
        expect(error).toBeInstanceOf(LeafListError)
      }
    })

    it('tell the voter what to do next', () => {
      expect(new ReplicaUnavailableError('/ip4/1.2.3.4/tcp/1', new Error('connection refused')).message).toBe(
        'replica /ip4/1.2.3.4/tcp/1 did not answer (connection refused); every configured replica must confirm the tree. ' +
          'Retry later, or remove it from replicaAddress if it is gone for good.',
      )
      expect(() => checkAnonymitySet(5, 3, 4)).toThrow(
        'only 1 leaves follow yours (leaf 3 of 5); the anonymity set needs 4. ' +
          'Retry once more voters have deactivated, or lower it with --anonymity-set, MACI_ANON_ANONYMITY_SET or the anonymitySet config key ' +
          '(a smaller set makes your reactivation easier to single out).',
      )
    })

    it('name the replica or the operator that served what is refused, and the size', async () => {
      const otherPoll = await serve(lying({ parameters: () => ({ ...operator.publicParameters(), depth: operator.publicParameters().depth + 1 }) }))
      await expect(syncWith([otherPoll])).rejects.toThrow(
        `replica ${otherPoll.address.toString()} serves other parameters than the operator: it mirrors another poll or operator`,
      )

      const otherKey = generateKeypair().privateKey
      const forgedRoots = (from: number, to: number) => operator.signedRoots(from, to).map((signed) => signRoot(otherKey, signed.size, signed.root))
      const forged = await serve(lying({ roots: forgedRoots }))
      await expect(syncWith([forged])).rejects.toThrow(`replica ${forged.address.toString()} served a root for ${LEAVES} leaves without the operator's signature`)
      // The operator's own root, when it served the leaves.
      const forgingOperator = await serve(lying({ roots: forgedRoots }))
      await expect(syncWith([], { allowSingleSource: true }, { operator: forgingOperator.address })).rejects.toMatchObject({
        reason: 'BAD_SIGNATURE',
        message: `the operator served a root for ${LEAVES} leaves without the operator's signature`,
      })

      const changed = operator.leaves(0, LEAVES).map((leaf, i) => (i === 1 ? randomFieldElement() : leaf))
      const liar = await serve(lying({ leaves: (from, to) => changed.slice(from, to) }))
      await expect(syncWith([liar])).rejects.toThrow(`the leaf list does not produce the root replica ${liar.address.toString()} holds for ${LEAVES} leaves`)
    })

    it('a replica that stopped serving roots because it caught the operator equivocating: EQUIVOCATION, with its reason', async () => {
      const caught = await serve(lying({ roots: () => { throw new ProtocolError('UNAVAILABLE', 'the operator equivocated at size 3') } }))
      await expect(syncWith([caught])).rejects.toMatchObject({
        name: 'SplitViewError',
        reason: 'EQUIVOCATION',
        message: `replica ${caught.address.toString()} serves no roots: the operator equivocated at size 3`,
      })
      // Only an UNAVAILABLE abort is that signal: a refusal that merely mentions equivocation is not.
      const refusing = await serve(lying({ roots: () => { throw new ProtocolError('REFUSED', 'equivocation reports are private') } }))
      const attempt = syncWith([refusing])
      await expect(attempt).rejects.toThrow(/equivocation reports are private/)
      await expect(attempt).rejects.not.toBeInstanceOf(SplitViewError)
    })
  })

  describe('lagging replicas', () => {
    it('the note and the refusal name the least a replica holds and the missing leaf index', async () => {
      const at = (leaves: number) => lying({ head: () => ({ leaves, log: leaves, roots: leaves, root: operator.rootHistory()[leaves - 1] }) })
      const [four, five] = [await serve(at(4)), await serve(at(5))]
      const notes: string[] = []
      const attempt = syncWith([five, four], { receipts: [receipts[5]], onNote: (note) => notes.push(note) })
      await expect(attempt).rejects.toMatchObject({
        name: 'LostDeactivationError',
        leafIndex: 5,
        message:
          'after 2 tries a replica still holds only 4 leaves, so it has lost your deactivation at leaf index 5 ' +
          'or the operator never gave it out; refusing to go on',
      })
      expect(notes).toEqual(['a replica holds 4 of the 6 leaves your receipts need; waiting for it'])
    })

    it('are polled again after the retry delay the caller gives', async () => {
      const behind = await serve(lying({ head: () => ({ leaves: 4, log: 4, roots: 4, root: operator.rootHistory()[3] }) }))
      const started = performance.now()
      // Four tries, three waits of 50 ms: the default delay (a second) would take three seconds.
      await expect(syncWith([behind], { minLeaves: LEAVES, replicaAttempts: 4, replicaRetryMs: 50 })).rejects.toBeInstanceOf(LostDeactivationError)
      expect(performance.now() - started).toBeLessThan(2_500)
    })
  })

  describe('which replica failures stop the voter', () => {
    it('leaves a replica cannot serve are taken from the operator, and the replica still confirms their root', async () => {
      const withholding = await serve(lying({ leaves: () => { throw new ProtocolError('UNAVAILABLE', 'leaves withheld') } }))
      const notes: string[] = []
      const tree = await syncWith([withholding], { onNote: (note) => notes.push(note) })
      expect(tree).toMatchObject({ source: 'operator', confirmations: 1, root: operator.status().root })
      expect(tree.leaves).toEqual(operator.leaves(0, LEAVES))
      expect(notes).toEqual([
        `replica ${withholding.address.toString()} did not serve its leaves (ABORTED: peer aborted with UNAVAILABLE: leaves withheld)`,
        'no replica served its leaves; taking them from the operator, to be confirmed by the replicas',
      ])
    })

    it('a replica that answers another range than the one asked is passed over like one that cannot serve', async () => {
      const shifted = await serve(rewritingLeaves(honest, (response) => ({ ...response, from: response.from + 1 })))
      const notes: string[] = []
      const tree = await syncWith([shifted], { onNote: (note) => notes.push(note) })
      expect(tree).toMatchObject({ source: 'operator', confirmations: 1, root: operator.status().root })
      expect(notes[0]).toMatch(/did not serve its leaves \(UNEXPECTED: sync answered \[1, \+6\) for \[0, 6\)\)/)
    })

    it('leaves that are not field elements stop the voter: they are not taken from elsewhere', async () => {
      // 32 bytes of 0xff: not a field element.
      const garbled = await serve(rewritingLeaves(honest, (response) => ({ ...response, items: response.items.map(() => new Uint8Array(32).fill(0xff)) })))
      const notes: string[] = []
      const attempt = syncWith([garbled], { onNote: (note) => notes.push(note) })
      await expect(attempt).rejects.toBeInstanceOf(ProtocolError)
      await expect(attempt).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/leaf 0/) })
      expect(notes).toEqual([])
    })

    it('a replica that does not finish connecting within the dial deadline is unavailable, and the voter does not wait longer', async () => {
      // Accepts TCP connections and never speaks: the libp2p handshake waits for the deadline.
      const sockets: Socket[] = []
      const silent: Server = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const { port } = silent.address() as { port: number }
      try {
        const mute = { address: multiaddr(`/ip4/127.0.0.1/tcp/${port}`) } as WatchedServer
        const started = performance.now()
        await expect(syncWith([mute], {}, { dialTimeoutMs: 300 })).rejects.toBeInstanceOf(ReplicaUnavailableError)
        expect(performance.now() - started).toBeLessThan(3_000)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => silent.close(resolve))
      }
    })
  })

  describe('sessions', () => {
    it('every sync session the voter opened is closed once it has the tree, on the replicas and on the operator', async () => {
      const second = await serve(honest)
      const tree = await (async () => {
        const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: [honestServer.address, second.address], dialTimeoutMs: 5_000 })
        try {
          const synced = await voter.syncTree(operator.publicParameters())
          await idle(honestServer, second)
          return synced
        } finally {
          await voter.stop()
        }
      })()
      expect(tree.confirmations).toBe(2)

      // On the operator: its leaves, then its signed root, each on a session of its own.
      const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: [], dialTimeoutMs: 5_000 })
      try {
        expect(await voter.syncTree(operator.publicParameters(), { allowSingleSource: true })).toMatchObject({ source: 'operator' })
        await idle(operatorServer)
        expect(await voter.parameters()).toEqual(operator.publicParameters())
        await idle(operatorServer)
      } finally {
        await voter.stop()
      }
    })

    it('confirmed parameters: the operator\'s when every replica serves the same, refused when one serves another KC', async () => {
      const [first, second] = [await serve(honest), await serve(honest)]
      const switched = await serve(lying({ parameters: () => ({ ...operator.publicParameters(), keyCommitment: operator.publicParameters().keyCommitment + 1n }) }))
      const confirm = async (replicas: Awaited<ReturnType<typeof serve>>[]) => {
        const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: replicas.map((r) => r.address), dialTimeoutMs: 5_000 })
        try {
          return await voter.confirmedParameters()
        } finally {
          await voter.stop()
        }
      }
      expect(await confirm([first, second])).toEqual(operator.publicParameters())
      expect(await confirm([])).toEqual(operator.publicParameters())
      await expect(confirm([first, switched])).rejects.toMatchObject({ name: 'SplitViewError', reason: 'PARAMETERS' })
      await idle(first, second, switched)
    })

    it('the sessions already open are closed when a later replica is refused', async () => {
      const first = await serve(honest)
      const otherPoll = await serve(lying({ parameters: () => ({ ...operator.publicParameters(), depth: operator.publicParameters().depth + 1 }) }))
      const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: [first.address, otherPoll.address], dialTimeoutMs: 5_000 })
      try {
        await expect(voter.syncTree(operator.publicParameters())).rejects.toMatchObject({ reason: 'PARAMETERS' })
        await idle(first, otherPoll)
      } finally {
        await voter.stop()
      }
    })

    it('a stopped client is gone: its identity opens nothing more', async () => {
      const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: [], dialTimeoutMs: 2_000 })
      expect(await voter.parameters()).toEqual(operator.publicParameters())
      await voter.stop()
      await expect(voter.parameters()).rejects.toThrow()
    })

    it('stopping ends even when libp2p never finishes closing (js-libp2p#2625), after its bound and not before', async () => {
      const voter = await AnonymousClient.start({ operator: operatorServer.address, replicas: [], dialTimeoutMs: 2_000 })
      expect(await voter.parameters()).toEqual(operator.publicParameters())
      const node = (voter as unknown as { node: Node }).node
      const realStop = node.stop.bind(node)
      node.stop = () => new Promise<void>(() => undefined)
      const start = performance.now()
      try {
        await voter.stop()
        expect(performance.now() - start).toBeGreaterThanOrEqual(STOP_TIMEOUT_MS - 50)
      } finally {
        await realStop()
      }
    })
  })
  describe('a reactivation turned away as busy', () => {
    /** A prepared reactivation of the first leaf, its membership proof made. */
    async function preparedReactivation(): Promise<PreparedReactivation> {
      const prepared = prepareVoterReactivation({
        secret: deactivations[0].secret,
        leafIndex: 0,
        leaves: operator.leaves(0, LEAVES),
        newPublicKey: generateKeypair().publicKey,
        params: operator.publicParameters(),
        deactivatedUnder: operator.publicParameters().keyCommitment,
      })
      await prepared.membership
      return prepared
    }
    const busyAbort = () => new ProtocolError('UNAVAILABLE', busyReason('the node runs its maximum of 4 reactivate sessions', 1))

    it('backs off longer the second time, and does not retry a refusal that is not BUSY', async () => {
      let sessions = 0
      const operatorEnd = await serve({
        name: 'reactivate',
        serve: async (channel) => {
          sessions++
          if (sessions <= 2) throw busyAbort()
          // The third session gets to the hello and is refused there: UNKNOWN_ROOT.
          await channel.receive()
          await channel.send(Buffer.concat([Buffer.alloc(32), Buffer.from([3])]))
        },
      })
      const prepared = await preparedReactivation()
      const voter = await AnonymousClient.start({ operator: operatorEnd.address, replicas: [], dialTimeoutMs: 5_000 })
      const waits: number[] = []
      try {
        await expect(voter.reactivate(prepared, { onBusy: (waitMs) => waits.push(waitMs) })).rejects.toMatchObject({
          name: 'ReactivationSessionError',
          code: 'UNKNOWN_ROOT',
        })
      } finally {
        await voter.stop()
      }
      expect(sessions).toBe(3)
      // Attempt 0: 0.5 to 1 s; attempt 1: 1 to 2 s, cut to the operator's 1 s.
      expect(waits).toHaveLength(2)
      expect(waits[0]).toBeGreaterThanOrEqual(500)
      expect(waits[1]).toBe(1_000)
    })

    it('gives up, with the BUSY error, once the next wait would end past its bound', async () => {
      let sessions = 0
      const operatorEnd = await serve({
        name: 'reactivate',
        serve: async () => {
          sessions++
          if (sessions <= 2) throw busyAbort()
          throw new ProtocolError('REFUSED', 'a third session')
        },
      })
      const prepared = await preparedReactivation()
      const voter = await AnonymousClient.start({ operator: operatorEnd.address, replicas: [], dialTimeoutMs: 5_000 })
      const realNow = Date.now.bind(Date)
      const started = realNow()
      let offset = 0
      const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset)
      try {
        const attempt = voter.reactivate(prepared, {
          onBusy: (waitMs) => {
            // Move the clock so that the second wait (exactly 1 s here) would end about a
            // second past the 180 s bound: well past it, and well before it without the wait.
            offset = 180_000 - (realNow() - started) - waitMs - 150
          },
        })
        await expect(attempt).rejects.toMatchObject({ name: 'ReactivationSessionError', code: 'BUSY', retryAfterSeconds: 1 })
      } finally {
        clock.mockRestore()
        await voter.stop()
      }
      expect(BUSY_RETRY_MS).toBe(180_000)
      expect(sessions).toBe(2)
    })

    it('comes back after the backoff, and stops at the first answer that is not BUSY', async () => {
      let sessions = 0
      const operatorEnd = await serve({
        name: 'reactivate',
        serve: async () => {
          sessions++
          if (sessions === 1) throw new ProtocolError('UNAVAILABLE', busyReason('the node runs its maximum of 4 reactivate sessions', 1))
          throw new ProtocolError('REFUSED', 'not this time')
        },
      })
      const prepared = await preparedReactivation()
      const voter = await AnonymousClient.start({ operator: operatorEnd.address, replicas: [], dialTimeoutMs: 5_000 })
      const busy: Array<{ waitMs: number; reason: string; at: number }> = []
      const phases: string[] = []
      try {
        const attempt = voter.reactivate(prepared, {
          onBusy: (waitMs, reason) => busy.push({ waitMs, reason, at: performance.now() }),
          onPhase: (phase) => phases.push(phase),
        })
        await expect(attempt).rejects.toMatchObject({ remoteCode: 'REFUSED', reason: 'not this time' })
        const refusedAt = performance.now()
        expect(busy).toHaveLength(1)
        // The wait is really waited.
        expect(refusedAt - busy[0].at).toBeGreaterThanOrEqual(busy[0].waitMs - 50)
        // Each attempt's stream is closed, on both ends: none is left holding one of the operator's slots.
        await idle(operatorEnd)
        const node = (voter as unknown as { node: Node }).node
        await until(() => node.getConnections().flatMap((connection) => connection.streams).every((stream) => stream.protocol !== PROTOCOLS.reactivate), 3_000)
      } finally {
        await voter.stop()
      }
      expect(sessions).toBe(2)
      expect(phases).toEqual(['handshake', 'handshake'])
      expect(busy).toHaveLength(1)
      // Attempt 0 waits 0.5 to 1 s, and never past the operator's 1 s.
      expect(busy[0].waitMs).toBeGreaterThanOrEqual(500)
      expect(busy[0].waitMs).toBeLessThanOrEqual(1_000)
      expect(busy[0].reason).toBe('BUSY: the node runs its maximum of 4 reactivate sessions: busy, retry in 1 s')
    })
  })
})
