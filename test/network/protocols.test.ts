/**
 * Every protocol handler against a raw libp2p client that sends garbage, oversized frames
 * and frames in the wrong order: each answers with the typed abort of its code (a plain close
 * is not accepted as a refusal), and the daemon then serves a normal session.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import type { Node } from '../../src/daemon/node.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { publicKeyToWire } from '../../src/protocol/codec.js'
import { RemoteAbortError, type ProtocolErrorCode } from '../../src/protocol/errors.js'
import { encodeFrame } from '../../src/protocol/framing.js'
import { MessageKind, MessageRequest, SignupRequest, SignupResponse, SyncQuery, SyncRequest } from '../../src/protocol/generated/schema.js'
import { ADMISSION, LIMITS, PROTOCOLS, type ProtocolName } from '../../src/protocol/ids.js'
import { submitDeactivation, submitVote } from '../../src/protocol/message.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { requestStatus } from '../../src/protocol/status.js'
import { StreamChannel } from '../../src/protocol/stream-channel.js'
import { SyncClient } from '../../src/protocol/sync.js'
import { startOperator, type RunningOperator } from './fixtures.js'
import { localNode } from './helpers.js'

let daemon: RunningOperator
let client: Node
const extraNodes: Node[] = []

async function freshNode(): Promise<Node> {
  const node = await localNode(false)
  extraNodes.push(node)
  return node
}

beforeAll(async () => {
  ;[daemon, client] = await Promise.all([startOperator(), localNode(false)])
})
afterAll(async () => {
  await Promise.all([client, ...extraNodes].map((node) => node.stop()))
  await daemon.stop()
})

/**
 * A raw stream to the daemon, with a channel on it only to read what comes back. Reactivate
 * streams come from a fresh node each, as a voter's do (one such stream per connection).
 */
async function raw(name: ProtocolName) {
  const from = name === 'reactivate' ? await freshNode() : client
  const stream = await dialWithRetry(from, PROTOCOLS[name])
  const reader = new StreamChannel(stream, { timeoutMs: 10_000, maxBytes: 1 << 20 })
  return { stream, reader }
}

/**
 * libp2p refuses more than a few new inbound connections per second from one host (its
 * inboundConnectionThreshold), and every fresh node here comes from 127.0.0.1.
 */
async function dialWithRetry(from: Node, protocol: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await from.dialProtocol(daemon.address, protocol)
    } catch (error) {
      if (attempt === 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
  }
}

/**
 * The session ends with the abort frame the daemon sends for `code`. A plain close of the
 * stream does not count: it would also be what a crashed handler or a dropped connection
 * gives, so a refusal must say why.
 */
async function expectRefusal(reader: StreamChannel, code: ProtocolErrorCode): Promise<RemoteAbortError> {
  const error = await reader.receive().then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(RemoteAbortError)
  expect((error as RemoteAbortError).remoteCode).toBe(code)
  await reader.close()
  return error as RemoteAbortError
}

const garbage = () => Buffer.alloc(6, 0xff)
/** A reactivate hello of the right length: tag, nonce, and a membership proof of zeros (root 0). */
const hello = (tag: string) => Buffer.concat([Buffer.from(tag), randomBytes(32), Buffer.alloc(12 * 32)])
const oversized = (name: ProtocolName) => encodeFrame('data', new Uint8Array(LIMITS[name].maxRequestBytes + 1))

describe.each(['signup', 'message', 'sync', 'status', 'reactivate'] as const)('%s handler', (name) => {
  it('answers garbage with MALFORMED', async () => {
    const { stream, reader } = await raw(name)
    stream.send(garbage())
    await expectRefusal(reader, 'MALFORMED')
  })

  it('answers an oversized frame with OVERSIZED, from its header', async () => {
    const { stream, reader } = await raw(name)
    stream.send(oversized(name))
    await expectRefusal(reader, 'OVERSIZED')
  })

  it('answers a frame cut off by the peer closing', async () => {
    const { stream, reader } = await raw(name)
    stream.send(encodeFrame('data', new Uint8Array(8)).subarray(0, 4))
    await stream.close()
    await expectRefusal(reader, 'MALFORMED')
  })
})

describe('frames in the wrong order or of the wrong kind', () => {
  it('signup: another protocol’s message is MALFORMED', async () => {
    const { reader } = await raw('signup')
    await reader.send(MessageRequest.encode({ kind: MessageKind.VOTE, ciphertext: Uint8Array.of(1, 2, 3) }))
    await expectRefusal(reader, 'MALFORMED')
  })

  it('signup: a second request is not served; the stream closes after the first answer', async () => {
    const { reader } = await raw('signup')
    const request = SignupRequest.encode({ publicKey: publicKeyToWire(generateKeypair().publicKey) })
    await reader.send(request)
    await reader.send(request)
    expect(SignupResponse.decode(await reader.receive()).stateIndex).toBeGreaterThanOrEqual(0)
    // Not a refusal: the session ended normally with its one answer, so the stream closes
    // with no abort frame, and the second request is never read.
    const after = await reader.receive().catch((caught: unknown) => caught)
    expect(after).not.toBeInstanceOf(RemoteAbortError)
    expect(after).toBeInstanceOf(ChannelError)
    expect(after).toMatchObject({ code: 'CLOSED' })
    await reader.close()
  })

  it('signup: an abort frame first ends the session quietly', async () => {
    const { reader } = await raw('signup')
    await reader.abort('ABORTED', 'changed my mind')
    const status = await requestStatus(client, daemon.address)
    expect(status.role).toBe('operator')
  })

  it('message: an unknown kind and an empty ciphertext are MALFORMED', async () => {
    for (const request of [
      MessageRequest.encode({ kind: MessageKind.MESSAGE_KIND_UNSPECIFIED, ciphertext: Uint8Array.of(1) }),
      MessageRequest.encode({ kind: MessageKind.DEACTIVATE, ciphertext: new Uint8Array(0) }),
    ]) {
      const { reader } = await raw('message')
      await reader.send(request)
      await expectRefusal(reader, 'MALFORMED')
    }
  })

  it('sync: an unspecified query is MALFORMED, a range past the end OUT_OF_RANGE', async () => {
    const first = await raw('sync')
    await first.reader.send(SyncRequest.encode({ query: SyncQuery.SYNC_QUERY_UNSPECIFIED, from: 0, to: 0 }))
    await expectRefusal(first.reader, 'MALFORMED')
    const second = await raw('sync')
    await second.reader.send(SyncRequest.encode({ query: SyncQuery.LEAVES, from: 1_000_000, to: 1_000_001 }))
    await expectRefusal(second.reader, 'OUT_OF_RANGE')
    const third = await raw('sync')
    await third.reader.send(SyncRequest.encode({ query: SyncQuery.ROOTS, from: 5, to: 2 }))
    await expectRefusal(third.reader, 'OUT_OF_RANGE')
  })

  it('status: bytes that are not a StatusRequest are MALFORMED', async () => {
    const { reader } = await raw('status')
    await reader.send(Uint8Array.of(0x0a, 0xff, 0x01))
    await expectRefusal(reader, 'MALFORMED')
  })

  it('reactivate: a hello of the wrong length or tag ends the session', async () => {
    const short = await raw('reactivate')
    await short.reader.send(randomBytes(10))
    await expectRefusal(short.reader, 'UNEXPECTED')
    const wrongTag = await raw('reactivate')
    await wrongTag.reader.send(hello('NOPE'))
    await expectRefusal(wrongTag.reader, 'UNEXPECTED')
  })

  it('reactivate: more concurrent sessions from one address than allowed are refused as UNAVAILABLE, with a retry time', async () => {
    // Every node here is on 127.0.0.1, so the per-address limit is the first one met once
    // loopback is counted (it is not by default, for the local testnet's sake).
    ADMISSION.capLoopback = true
    try {
      const stalled = await Promise.all(Array.from({ length: LIMITS.reactivate.maxSessionsPerAddress }, () => raw('reactivate')))
      await new Promise((resolve) => setTimeout(resolve, 200))
      const extra = await raw('reactivate')
      const error = await expectRefusal(extra.reader, 'UNAVAILABLE')
      expect(error.reason).toMatch(/this address .* busy, retry in \d+ s/)
      await Promise.all(stalled.map(({ reader }) => reader.close()))
    } finally {
      ADMISSION.capLoopback = false
    }
  })
})

describe('after all that, normal sessions succeed', () => {
  it('signup, deactivation, vote, sync and status', async () => {
    const keypair = generateKeypair()
    const { stateIndex } = await requestSignup(client, daemon.address, keypair.publicKey)
    expect(stateIndex).toBeGreaterThanOrEqual(0)
    await expect(requestSignup(client, daemon.address, keypair.publicKey)).rejects.toMatchObject({ remoteCode: 'REFUSED' })

    const sync = await SyncClient.open(client, daemon.address)
    const params = await sync.parameters()
    const receipt = await submitDeactivation(client, daemon.address, makeDeactivation(keypair, params).ciphertext)
    const vote = await submitVote(client, daemon.address, makeVote(keypair, params, 1))
    expect(vote.index).toBe(0)

    const head = await sync.head()
    expect(head).toMatchObject({ leaves: receipt.index + 1, root: receipt.root })
    const leaves = await sync.leaves(0, head.leaves)
    expect(leaves[receipt.index]).toBe(receipt.leaf)
    expect((await sync.roots(receipt.index, receipt.index + 1)).map((signed) => signed.root)).toEqual([receipt.root])
    expect(await sync.log(0, head.leaves)).toHaveLength(head.leaves)
    await sync.close()

    const status = await requestStatus(client, daemon.address)
    expect(status).toMatchObject({ role: 'operator', leaves: head.leaves, root: receipt.root, votes: 1 })
    expect(status.signups).toBeGreaterThanOrEqual(1)
  })

  it('reactivate: a well-formed hello gets the operator’s reply, here a refusal of its unknown root', async () => {
    const { reader } = await raw('reactivate')
    await reader.send(hello('MAR2'))
    const reply = await reader.receive()
    expect(reply.length).toBe(33)
    expect(reply[32]).toBe(3)
    await expectRefusal(reader, 'REFUSED')
  })

  it('counted every refused session in the metrics by code', async () => {
    const text = await daemon.service.host.metrics.registry.metrics()
    expect(text).toMatch(/maci_anon_session_errors_total\{protocol="signup",code="MALFORMED"/)
    expect(text).toMatch(/maci_anon_session_errors_total\{protocol="sync",code="OUT_OF_RANGE"/)
    expect(text).toMatch(/maci_anon_sessions_total\{protocol="status",outcome="ok"/)
  })
})

describe('graceful shutdown', () => {
  it('lets the grace period pass, then cuts the sessions still running, and stops', async () => {
    const other = await startOperator()
    const stream = await client.dialProtocol(other.address, PROTOCOLS.sync)
    const reader = new StreamChannel(stream, { timeoutMs: 10_000 })
    // A session that never sends its request: the server waits for it until cut.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(other.service.host.server.activeSessions).toBe(1)
    const begun = performance.now()
    await other.stop(300)
    expect(performance.now() - begun).toBeLessThan(5_000)
    // A close, not a refusal: the server resets the streams it cuts at shutdown (the peer
    // did nothing wrong), so no abort frame is sent.
    const cut = await reader.receive().catch((caught: unknown) => caught)
    expect(cut).not.toBeInstanceOf(RemoteAbortError)
    expect(cut).toMatchObject({ name: 'ChannelError', code: 'CLOSED' })
    await expect(client.dialProtocol(other.address, PROTOCOLS.status)).rejects.toThrow()
  })
})
