/**
 * Slot exhaustion on every protocol (issue 12, item 6; the red team's PoC): streams that
 * send nothing, sync sessions kept alive by one query per step timeout, and many sessions
 * from one peer or one address, so that voters and replicas are locked out for free.
 * Performed against a real operator daemon over libp2p on 127.0.0.1 by raw clients.
 *
 * The deadlines are shortened through LIMITS (read at every session) so that the test runs
 * in seconds. The caps are the shipped ones, except the node-wide maxSessions where a full
 * node is the point.
 */
import type { Libp2p, Stream, StreamHandler } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import type { Node } from '../../src/daemon/node.js'
import { operatorSyncSource } from '../../src/daemon/operator-service.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { Metrics } from '../../src/daemon/metrics.js'
import { sessionObserver } from '../../src/daemon/session-observer.js'
import { RemoteAbortError, retryAfterOf } from '../../src/protocol/errors.js'
import { SyncQuery, SyncRequest } from '../../src/protocol/generated/schema.js'
import { ADMISSION, LIMITS, PROTOCOLS, type ProtocolLimits, type ProtocolName } from '../../src/protocol/ids.js'
import { submitDeactivation } from '../../src/protocol/message.js'
import { addressGroupOf, ProtocolServer } from '../../src/protocol/server.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { requestStatus } from '../../src/protocol/status.js'
import { StreamChannel } from '../../src/protocol/stream-channel.js'
import { SyncClient, syncService } from '../../src/protocol/sync.js'
import { startOperator, type RunningOperator } from '../network/fixtures.js'
import { localNode, silentLogger, until } from '../network/helpers.js'

type Served = Exclude<ProtocolName, 'reactivate'>
const SERVED: Served[] = ['signup', 'message', 'status', 'sync']

const shipped = Object.fromEntries(SERVED.map((name) => [name, { ...LIMITS[name] }])) as Record<Served, ProtocolLimits>
const shippedAdmission = { ...ADMISSION }

let daemon: RunningOperator
/** Attacker nodes, connected once: libp2p throttles new inbound connections from one host. */
const pool: Node[] = []
const others: Node[] = []
let voter: Node
let voterKey: Keypair

/**
 * The shipped limits of `name` with shorter deadlines. Only a deadline the code ships is
 * shortened, never supplied: the test must not bring the defence it checks for.
 */
function shorten(name: Served, times: { firstMs: number; sessionMs: number; stepMs: number }, changes: Partial<ProtocolLimits> = {}): void {
  const original = shipped[name]
  Object.assign(LIMITS[name], original, {
    stepTimeoutMs: times.stepMs,
    firstMessageDeadlineMs: original.firstMessageDeadlineMs === undefined ? undefined : times.firstMs,
    sessionDeadlineMs: original.sessionDeadlineMs === undefined ? undefined : times.sessionMs,
    ...changes,
  })
}

async function retried<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      if (attempt === 8) throw error
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
  }
}

async function connectedNode(target = daemon.address): Promise<Node> {
  const node = await localNode(false)
  others.push(node)
  await retried(() => node.dial(target))
  return node
}

/** A raw stream, with a channel on it to read what the server sends back. */
async function raw(from: Node, name: ProtocolName, target = daemon.address) {
  const stream = await retried(() => from.dialProtocol(target, PROTOCOLS[name]))
  return { stream, reader: new StreamChannel(stream, { timeoutMs: 30_000, maxBytes: 1 << 20 }), opened: performance.now() }
}

/** Reads until the session ends; returns what ended it, how many messages came first, and when. */
async function drain(session: { reader: StreamChannel; opened: number }): Promise<{ error: unknown; messages: number; after: number }> {
  let messages = 0
  for (;;) {
    try {
      await session.reader.receive()
      messages++
    } catch (error) {
      await session.reader.close()
      return { error, messages, after: performance.now() - session.opened }
    }
  }
}

function expectAbort(error: unknown, code: string, reason?: RegExp): RemoteAbortError {
  expect(error).toBeInstanceOf(RemoteAbortError)
  expect((error as RemoteAbortError).remoteCode).toBe(code)
  if (reason !== undefined) expect((error as RemoteAbortError).reason).toMatch(reason)
  return error as RemoteAbortError
}

const activeSessions = () => daemon.service.host.server.activeSessions
const head = () => SyncRequest.encode({ query: SyncQuery.HEAD, from: 0, to: 0 })

/** The honest client of each protocol, as voters and replicas run it. */
function honest(name: Served, from: Node): Promise<unknown> {
  switch (name) {
    case 'signup':
      return requestSignup(from, daemon.address, generateKeypair().publicKey)
    case 'message':
      return submitDeactivation(from, daemon.address, makeDeactivation(voterKey, daemon.service.operator.publicParameters()).ciphertext)
    case 'status':
      return requestStatus(from, daemon.address)
    case 'sync':
      return (async () => {
        const client = await SyncClient.open(from, daemon.address)
        try {
          const { leaves } = await client.head()
          return await client.leaves(0, leaves)
        } finally {
          await client.close()
        }
      })()
  }
}

beforeAll(async () => {
  daemon = await startOperator()
  voterKey = generateKeypair()
  await daemon.service.operator.signup(voterKey.publicKey)
  for (let i = 0; i < 6; i++) pool.push(await connectedNode())
  voter = await connectedNode()
}, 60_000)

afterEach(async () => {
  for (const name of SERVED) Object.assign(LIMITS[name], shipped[name])
  Object.assign(ADMISSION, shippedAdmission)
  await until(() => activeSessions() === 0, 10_000)
})

afterAll(async () => {
  await Promise.all([...pool, ...others].map((node) => node.stop()))
  await daemon.stop()
})

describe('slot exhaustion: deadlines', () => {
  it.each(SERVED)('%s: a stream that sends nothing is cut at the first-message deadline, with a TIMEOUT abort', async (name) => {
    shorten(name, { firstMs: 800, sessionMs: 2_000, stepMs: 4_000 })
    const idle = await Promise.all([raw(pool[0], name), raw(pool[1], name)])
    for (const end of await Promise.all(idle.map(drain))) {
      expectAbort(end.error, 'TIMEOUT', /first message deadline/)
      expect(end.messages).toBe(0)
      expect(end.after).toBeLessThan(800 + 1_500)
    }
    await until(() => activeSessions() === 0, 2_000)
  })

  it('sync: a session kept alive by one HEAD query after another is cut at its whole-session deadline', async () => {
    const SESSION_MS = 2_500
    shorten('sync', { firstMs: 800, sessionMs: SESSION_MS, stepMs: 1_000 })
    const session = await raw(pool[0], 'sync')
    // Well within the step timeout each time: only an absolute deadline can end this.
    const keepAlive = setInterval(() => void session.reader.send(head()).catch(() => undefined), 250)
    const stop = setTimeout(() => clearInterval(keepAlive), SESSION_MS + 3_000)
    try {
      const end = await drain(session)
      expectAbort(end.error, 'TIMEOUT', /session deadline/)
      expect(end.messages).toBeGreaterThan(3)
      expect(end.after).toBeGreaterThan(SESSION_MS - 500)
      expect(end.after).toBeLessThan(SESSION_MS + 1_500)
    } finally {
      clearInterval(keepAlive)
      clearTimeout(stop)
    }
  })
})

describe('slot exhaustion: caps', () => {
  it.each(SERVED)('%s: one peer ID gets a few sessions at a time; the next is refused as UNAVAILABLE with a retry time', async (name) => {
    shorten(name, { firstMs: 3_000, sessionMs: 4_000, stepMs: 4_000 })
    const perPeer = shipped[name].maxSessionsPerPeer
    expect(perPeer).toBeLessThan(shipped[name].maxInboundStreams)
    const held = await Promise.all(Array.from({ length: perPeer }, () => raw(pool[0], name)))
    const refused = await drain(await raw(pool[0], name))
    expectAbort(refused.error, 'UNAVAILABLE', new RegExp(`this peer already runs ${perPeer} ${name} session.*busy, retry in [1-4] s`))
    expect(refused.after).toBeLessThan(1_500)
    await Promise.all(held.map(({ reader }) => reader.close()))
  })

  it.each(SERVED)('%s: fresh peer IDs on one address get a few sessions, then UNAVAILABLE; loopback only when counted', async (name) => {
    shorten(name, { firstMs: 4_000, sessionMs: 5_000, stepMs: 5_000 })
    const perAddress = shipped[name].maxSessionsPerAddress
    const perPeer = shipped[name].maxSessionsPerPeer
    expect(perAddress).toBeLessThan(shipped[name].maxSessions)
    expect(perAddress).toBeLessThanOrEqual(perPeer * (pool.length - 2))
    const held = await Promise.all(Array.from({ length: perAddress }, (_, i) => raw(pool[Math.floor(i / perPeer)], name)))
    // By default every client of the local testnet and of these tests comes from 127.0.0.1, uncapped.
    const local = await raw(pool[pool.length - 2], name)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(activeSessions()).toBe(perAddress + 1)

    // Counted as any other address would be, it is full.
    ADMISSION.capLoopback = true
    const refused = await drain(await raw(pool[pool.length - 1], name))
    expectAbort(refused.error, 'UNAVAILABLE', new RegExp(`this address already runs ${perAddress + 1} ${name} sessions.*busy, retry in [1-5] s`))
    await Promise.all([...held, local].map(({ reader }) => reader.close()))
  })

  it.each(SERVED)(
    '%s: a full node tells an honest client "busy, retry in N s", and serves it once the attackers are cut',
    async (name) => {
      const SESSION_MS = 2_500
      const FIRST_MS = name === 'sync' ? 1_000 : 2_000
      // The step timeout is longer than the deadlines, so that only the deadlines free the slots.
      shorten(name, { firstMs: FIRST_MS, sessionMs: SESSION_MS, stepMs: 4_000 }, { maxSessions: 3 })
      // Sync attackers keep their sessions busy with queries (the PoC's keep-alive); the others send nothing.
      const attackers = await Promise.all([raw(pool[0], name), raw(pool[1], name), raw(pool[2], name)])
      const keepAlive =
        name === 'sync' ? setInterval(() => attackers.forEach(({ reader }) => void reader.send(head()).catch(() => undefined)), 250) : undefined
      try {
        await new Promise((resolve) => setTimeout(resolve, 100))
        const started = performance.now()
        const busy = await honest(name, voter).catch((error: unknown) => error)
        expect(performance.now() - started).toBeLessThan(1_500)
        expectAbort(busy, 'UNAVAILABLE', new RegExp(`maximum of 3 ${name} sessions: busy, retry in \\d+ s`))
        const retryAfter = retryAfterOf(busy) ?? Infinity
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(Math.ceil(Math.max(FIRST_MS, SESSION_MS) / 1000))

        const ends = await Promise.all(attackers.map(drain))
        for (const end of ends) expectAbort(end.error, 'TIMEOUT')
        await new Promise((resolve) => setTimeout(resolve, 100))
        // Within the time it was told, nobody's help needed.
        expect(performance.now() - started).toBeLessThan(retryAfter * 1000 + 1_000)
        await expect(honest(name, voter)).resolves.toBeDefined()
      } finally {
        clearInterval(keepAlive)
      }
    },
  )
})

/**
 * Every node here is on 127.0.0.1, so other addresses are posed: a ProtocolServer serving the
 * operator's real sync data sees each client's connection under an address the test assigns
 * to its peer ID. Everything else (streams, admission, the sync service) is the real thing.
 */
describe('slot exhaustion: address groups', () => {
  let host: Node
  let server: ProtocolServer
  const posedAs = new Map<string, string>()

  function posing(node: Node): Pick<Libp2p, 'handle' | 'unhandle'> {
    return {
      handle: (protocol, handler: StreamHandler, options) =>
        node.handle(
          protocol,
          (stream: Stream, connection) => {
            const posed = posedAs.get(connection.remotePeer.toString())
            const remoteAddr = posed === undefined ? connection.remoteAddr : multiaddr(`${posed}/tcp/4001`)
            return handler(stream, new Proxy(connection, { get: (target, key) => (key === 'remoteAddr' ? remoteAddr : Reflect.get(target, key)) }))
          },
          options,
        ),
      unhandle: (protocols) => node.unhandle(protocols),
    }
  }

  async function posed(address: string): Promise<Node> {
    const node = await connectedNode(host.getMultiaddrs()[0])
    posedAs.set(node.peerId.toString(), address)
    return node
  }

  beforeAll(async () => {
    host = await localNode()
    others.push(host)
    server = new ProtocolServer(posing(host), sessionObserver(silentLogger(), new Metrics('posed')))
    await server.mount(syncService(operatorSyncSource(daemon.service.operator)))
  }, 60_000)

  afterAll(async () => {
    await server.stop(100)
  })

  it('groups IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as its IPv4 address, and knows loopback', () => {
    const group = (address: string) => addressGroupOf(multiaddr(address))
    expect(group('/ip4/203.0.113.7/tcp/1')).toEqual({ key: '203.0.113.7', loopback: false })
    expect(group('/ip4/203.0.113.8/tcp/1').key).not.toBe(group('/ip4/203.0.113.7/tcp/2').key)
    expect(group('/ip4/127.0.0.1/tcp/1')).toEqual({ key: '127.0.0.1', loopback: true })
    expect(group('/ip4/127.8.9.10/tcp/1').loopback).toBe(true)

    const subnet = group('/ip6/2001:db8:1:2::a/tcp/1')
    expect(subnet).toEqual({ key: '2001:db8:1:2::/64', loopback: false })
    for (const same of ['/ip6/2001:db8:1:2:ffff:ffff:ffff:ffff/tcp/9', '/ip6/2001:0db8:0001:0002:0:0:0:1/udp/5/quic-v1', '/ip6zone/eth0/ip6/2001:db8:1:2::b/tcp/1']) {
      expect(group(same).key).toBe(subnet.key)
    }
    expect(group('/ip6/2001:db8:1:3::a/tcp/1').key).not.toBe(subnet.key)
    expect(group('/ip6/::1/tcp/1')).toEqual({ key: '0:0:0:0::/64', loopback: true })
    expect(group('/ip6/::2/tcp/1').loopback).toBe(false)

    expect(group('/ip6/::ffff:198.51.100.7/tcp/1')).toEqual({ key: '198.51.100.7', loopback: false })
    expect(group('/ip6/::ffff:127.0.0.1/tcp/1')).toEqual({ key: '127.0.0.1', loopback: true })
    // A relayed connection counts under the relay's address; one with no IP under itself.
    expect(group(`/ip4/192.0.2.1/tcp/4001/p2p/${pool[0].peerId.toString()}/p2p-circuit`).key).toBe('192.0.2.1')
    expect(group('/dns4/example.org/tcp/1').key).toBe('/dns4/example.org/tcp/1')
  })

  it('counts one IPv6 /64 as one address, and still serves a replica elsewhere while it is full', async () => {
    const perAddress = LIMITS.sync.maxSessionsPerAddress
    const perPeer = LIMITS.sync.maxSessionsPerPeer
    shorten('sync', { firstMs: 4_000, sessionMs: 5_000, stepMs: 5_000 })
    // Each attacker node takes a fresh interface ID in the same /64, as a host with a /64 can.
    const attackers = await Promise.all(Array.from({ length: Math.ceil(perAddress / perPeer) + 1 }, (_, i) => posed(`/ip6/2001:db8:1:2::${i + 1}`)))
    const held = await Promise.all(Array.from({ length: perAddress }, (_, i) => raw(attackers[Math.floor(i / perPeer)], 'sync', host.getMultiaddrs()[0])))
    const refused = await drain(await raw(attackers[attackers.length - 1], 'sync', host.getMultiaddrs()[0]))
    expectAbort(refused.error, 'UNAVAILABLE', new RegExp(`this address already runs ${perAddress} sync sessions.*busy, retry in [1-5] s`))

    // Another /64, and an IPv4 replica: their own allowances, untouched by the full one.
    const neighbour = await raw(await posed('/ip6/2001:db8:1:3::1'), 'sync', host.getMultiaddrs()[0])
    const replica = await posed('/ip4/198.51.100.7')
    const client = await SyncClient.open(replica, host.getMultiaddrs()[0])
    try {
      expect(await client.head()).toMatchObject({ leaves: daemon.service.operator.status().deactivations })
      expect(await client.leaves(0, 0)).toEqual([])
    } finally {
      await client.close()
    }
    await Promise.all([...held, neighbour].map(({ reader }) => reader.close()))
    await until(() => server.activeSessions === 0, 10_000)
  })
})
