import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Node } from '../../src/daemon/node.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { RemoteAbortError } from '../../src/protocol/errors.js'
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing.js'
import { StreamChannel, type StreamChannelOptions } from '../../src/protocol/stream-channel.js'
import { localNode, streamPair } from './helpers.js'

describe('frame decoder', () => {
  it('reassembles frames split at every byte', () => {
    const messages = [new Uint8Array(0), Uint8Array.of(7), randomBytes(300)]
    const wire = Buffer.concat(messages.map((message) => encodeFrame('data', message)))
    const decoder = new FrameDecoder(() => 1024)
    const frames = [...wire].flatMap((byte) => decoder.push(Uint8Array.of(byte)))
    expect(frames.map((frame) => Buffer.from(frame.payload))).toEqual(messages.map((message) => Buffer.from(message)))
    expect(decoder.pendingBytes).toBe(0)
  })

  it('refuses an oversized frame from its header alone', () => {
    const header = encodeFrame('data', new Uint8Array(2000)).subarray(0, 2)
    expect(() => new FrameDecoder(() => 1000).push(header)).toThrow(expect.objectContaining({ code: 'OVERSIZED' }))
  })

  it('refuses a length prefix that never ends, an empty frame and an unknown kind', () => {
    expect(() => new FrameDecoder(() => 1000).push(Buffer.alloc(5, 0xff))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => new FrameDecoder(() => 1000).push(Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => new FrameDecoder(() => 1000).push(Uint8Array.of(2, 9, 9))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})

describe('StreamChannel over libp2p (TCP, Noise, yamux)', () => {
  let server: Node
  let client: Node
  beforeAll(async () => {
    ;[server, client] = await Promise.all([localNode(), localNode(false)])
  })
  afterAll(async () => {
    await Promise.all([server.stop(), client.stop()])
  })

  /** `serverOnly` applies to the far (serving) end alone, as the ProtocolServer sets deadlines. */
  async function channels(options: StreamChannelOptions = {}, serverOnly: StreamChannelOptions = {}) {
    const streams = await streamPair(server, client)
    return {
      near: new StreamChannel(streams.client, options),
      far: new StreamChannel(streams.server, { ...options, ...serverOnly }),
      streams,
    }
  }

  it('delivers messages whole and in order, from empty to 3 MB, both ways', async () => {
    const { near, far } = await channels({ maxBytes: 4 * 1024 * 1024, maxQueuedBytes: 16 * 1024 * 1024 })
    const messages = [new Uint8Array(0), Uint8Array.of(1, 2, 3), randomBytes(70_000), randomBytes(3 * 1024 * 1024)]
    await Promise.all(messages.map((message) => near.send(message)))
    // Buffer.equals: a deep toEqual over 3 MB takes seconds.
    for (const message of messages) expect(Buffer.from(message).equals(await far.receive())).toBe(true)
    await far.send(Uint8Array.of(42))
    expect([...(await near.receive())]).toEqual([42])
    const total = messages.reduce((sum, message) => sum + message.length, 0)
    expect(near.stats).toMatchObject({ bytesSent: total, messagesSent: 4, bytesReceived: 1, messagesReceived: 1 })
    expect(far.stats).toMatchObject({ bytesReceived: total, messagesReceived: 4 })
    await Promise.all([near.close(), far.close()])
  })

  it('times out a receive, and a later message is still delivered', async () => {
    const { near, far } = await channels()
    await expect(far.receive({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    await near.send(Uint8Array.of(5))
    expect([...(await far.receive({ timeoutMs: 5_000 }))]).toEqual([5])
    await Promise.all([near.close(), far.close()])
  })

  it('refuses a second receive while one is pending', async () => {
    const { near, far } = await channels()
    const pending = far.receive({ timeoutMs: 5_000 })
    await expect(far.receive()).rejects.toMatchObject({ code: 'UNEXPECTED' })
    await near.send(Uint8Array.of(1))
    await expect(pending).resolves.toBeDefined()
    await Promise.all([near.close(), far.close()])
  })

  it('refuses an oversized frame (channel limit, then a per-receive limit)', async () => {
    const { near, far } = await channels({ maxBytes: 1024 })
    const pending = far.receive()
    await near.send(new Uint8Array(4096))
    await expect(pending).rejects.toMatchObject({ code: 'OVERSIZED' })
    await Promise.all([near.close(), far.close()])

    const second = await channels({ maxBytes: 1024 })
    await second.near.send(new Uint8Array(100))
    await expect(second.far.receive({ maxBytes: 10 })).rejects.toMatchObject({ code: 'OVERSIZED' })
    await Promise.all([second.near.close(), second.far.close()])
  })

  it('reads an abort whose reason is longer than the message limit, and still refuses such a message', async () => {
    // A signup client accepts replies of at most 64 bytes; a "busy, retry in N s" is longer.
    const { near, far } = await channels({ maxBytes: 64 })
    const reason = `the node runs its maximum of 64 signup sessions: busy, retry in 15 s ${'.'.repeat(150)}`
    await far.abort('UNAVAILABLE', reason)
    await expect(near.receive()).rejects.toMatchObject({ remoteCode: 'UNAVAILABLE', reason: reason.slice(0, 200) })
    await near.close()

    const second = await channels({ maxBytes: 64 })
    await second.near.send(new Uint8Array(65))
    await expect(second.far.receive()).rejects.toMatchObject({ code: 'OVERSIZED' })
    await Promise.all([second.near.close(), second.far.close()])
  })

  it('lets one receive widen the limit for a large message', async () => {
    const { near, far } = await channels({ maxBytes: 1024 })
    const pending = far.receive({ maxBytes: 100_000 })
    await near.send(new Uint8Array(50_000))
    expect((await pending).length).toBe(50_000)
    await Promise.all([near.close(), far.close()])
  })

  it('cuts off a peer that sends far ahead of the protocol', async () => {
    const { near, far } = await channels({ maxBytes: 1024, maxQueuedBytes: 4096 })
    for (let i = 0; i < 8; i++) await near.send(new Uint8Array(1000))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const received: number[] = []
    const error = await (async () => {
      for (;;) received.push((await far.receive({ timeoutMs: 2_000 })).length)
    })().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'OVERSIZED' })
    expect(received.length).toBeLessThan(8)
    await Promise.all([near.close(), far.close()])
  })

  it('maps a peer reset to CLOSED, for a pending receive and for later sends', async () => {
    const { near, far, streams } = await channels()
    const pending = far.receive({ timeoutMs: 5_000 })
    streams.client.abort(new Error('test reset'))
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(far.send(Uint8Array.of(1))).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(near.send(Uint8Array.of(1))).rejects.toBeInstanceOf(ChannelError)
  })

  it('delivers what was sent before a clean close, then CLOSED', async () => {
    const { near, far } = await channels()
    await near.send(Uint8Array.of(1))
    await near.send(Uint8Array.of(2))
    await near.close()
    expect([...(await far.receive())]).toEqual([1])
    expect([...(await far.receive())]).toEqual([2])
    await expect(far.receive({ timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'CLOSED' })
    await far.close()
  })

  it('carries a typed abort reason to the peer', async () => {
    const { near, far } = await channels()
    const pending = far.receive({ timeoutMs: 5_000 })
    await near.abort('REFUSED', 'not today')
    const error = await pending.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RemoteAbortError)
    expect(error).toMatchObject({ code: 'ABORTED', remoteCode: 'REFUSED', reason: 'not today' })
    await far.close()
  })

  it('reports garbage on the raw stream as MALFORMED', async () => {
    const { far, streams } = await channels()
    streams.client.send(Buffer.alloc(8, 0xff))
    await expect(far.receive({ timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'MALFORMED' })
    await far.close()
    streams.client.abort(new Error('done'))
  })

  it('ends the session at its absolute deadline, however busy the peer keeps it', async () => {
    const { near, far } = await channels({}, { sessionDeadlineMs: 600 })
    const opened = performance.now()
    // Messages keep arriving; none of them moves the deadline.
    const chatter = setInterval(() => void near.send(Uint8Array.of(1)).catch(() => undefined), 50)
    const error = await (async () => {
      for (;;) await far.receive({ timeoutMs: 5_000 })
    })().catch((caught: unknown) => caught)
    clearInterval(chatter)
    expect(error).toMatchObject({ code: 'TIMEOUT' })
    expect(performance.now() - opened).toBeLessThan(1_500)
    await expect(far.send(Uint8Array.of(1))).rejects.toMatchObject({ code: 'TIMEOUT' })
    const told = await (async () => {
      for (;;) await near.receive({ timeoutMs: 5_000 })
    })().catch((caught: unknown) => caught)
    expect(told).toMatchObject({ remoteCode: 'TIMEOUT', reason: expect.stringMatching(/session deadline/) })
    await near.close()
  })

  it('gives a first message trickled byte by byte only the time left from the opening', async () => {
    const { far, streams } = await channels({}, { firstMessageDeadlineMs: 400 })
    const frame = encodeFrame('data', new Uint8Array(100))
    let sent = 0
    const trickle = setInterval(() => {
      if (sent < frame.length && streams.client.writeStatus === 'writable') streams.client.send(frame.subarray(sent, ++sent))
    }, 20)
    const started = performance.now()
    await expect(far.receive({ timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    clearInterval(trickle)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(sent).toBeLessThan(frame.length)
  })

  it('clears the first-message deadline once a whole message has arrived', async () => {
    const { near, far } = await channels({}, { firstMessageDeadlineMs: 200 })
    await near.send(Uint8Array.of(9))
    expect([...(await far.receive())]).toEqual([9])
    await new Promise((resolve) => setTimeout(resolve, 400))
    await near.send(Uint8Array.of(10))
    expect([...(await far.receive({ timeoutMs: 2_000 }))]).toEqual([10])
    await Promise.all([near.close(), far.close()])
  })

  it('runs a ping-pong of many messages like an MPC transcript', async () => {
    const { near, far } = await channels()
    const rounds = 200
    const echo = (async () => {
      for (let i = 0; i < rounds; i++) await far.send(await far.receive())
    })()
    for (let i = 0; i < rounds; i++) {
      const message = randomBytes(1 + (i % 50))
      await near.send(message)
      expect(Buffer.from(await near.receive())).toEqual(message)
    }
    await echo
    await Promise.all([near.close(), far.close()])
  })
})
