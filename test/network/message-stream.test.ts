/**
 * /maci-anon/message/1.1.0 against a real daemon: any number of messages on one stream,
 * answered in order; MessageStream (src/protocol/message.ts) reuses its stream while it is
 * young, replaces it after a refusal and past its reuse window, and closes it when idle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import type { DeactivationReceipt } from '../../src/core/operator-state.js'
import type { PublicParameters } from '../../src/core/parameters.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import type { Node } from '../../src/daemon/node.js'
import { fieldFromBytes } from '../../src/protocol/codec.js'
import { RemoteAbortError } from '../../src/protocol/errors.js'
import { MessageKind, MessageRequest, MessageResponse } from '../../src/protocol/generated/schema.js'
import { LIMITS, PROTOCOLS } from '../../src/protocol/ids.js'
import { IDLE_CLOSE_MS, MessageStream } from '../../src/protocol/message.js'
import { StreamChannel } from '../../src/protocol/stream-channel.js'
import { startOperator, type RunningOperator } from './fixtures.js'
import { localNode, until } from './helpers.js'

let daemon: RunningOperator
let client: Node
let params: PublicParameters

beforeAll(async () => {
  ;[daemon, client] = await Promise.all([startOperator(), localNode(false)])
  params = daemon.service.operator.publicParameters()
})
afterAll(async () => {
  await client.stop()
  await daemon.stop()
})

async function signedUp(count: number): Promise<Keypair[]> {
  const keys = Array.from({ length: count }, () => generateKeypair())
  for (const keypair of keys) await daemon.service.operator.signup(keypair.publicKey)
  return keys
}

/** The message sessions the daemon has seen end, by outcome, once none is running. */
async function messageSessions(outcome: string): Promise<number> {
  await until(() => daemon.service.host.server.activeSessions === 0)
  const text = await daemon.service.host.metrics.registry.metrics()
  const line = text.split('\n').find((row) => row.startsWith(`maci_anon_sessions_total{protocol="message",outcome="${outcome}"`))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

describe('the message protocol', () => {
  it('answers several requests on one stream, each before the next, in order', async () => {
    const keys = await signedUp(3)
    const channel = new StreamChannel(await client.dialProtocol(daemon.address, PROTOCOLS.message), { timeoutMs: 10_000 })
    const receipts: MessageResponse[] = []
    for (const keypair of keys) {
      await channel.send(MessageRequest.encode({ kind: MessageKind.DEACTIVATE, ciphertext: Uint8Array.from(makeDeactivation(keypair, params).ciphertext) }))
      receipts.push(MessageResponse.decode(await channel.receive()))
    }
    await channel.send(MessageRequest.encode({ kind: MessageKind.VOTE, ciphertext: Uint8Array.from(makeVote(keys[0], params, 1)) }))
    const vote = MessageResponse.decode(await channel.receive())
    await channel.close()
    const indices = receipts.map((receipt) => receipt.index)
    expect(indices).toEqual([indices[0], indices[0] + 1, indices[0] + 2])
    expect(daemon.service.operator.leaves(indices[0], indices[0] + 3)).toEqual(receipts.map((receipt) => fieldFromBytes(receipt.leaf, 'leaf')))
    expect(vote.index).toBe(daemon.service.operator.status().votes - 1)
  })
})

describe('MessageStream', () => {
  it('sends message after message on one stream, and closes it when asked', async () => {
    const before = await messageSessions('ok')
    const keys = await signedUp(5)
    const messages = new MessageStream(client, daemon.address)
    const receipts: DeactivationReceipt[] = []
    for (const keypair of keys) receipts.push(await messages.deactivate(makeDeactivation(keypair, params).ciphertext))
    await messages.vote(makeVote(keys[0], params, 2))
    await messages.close()
    expect(receipts.map((receipt) => receipt.index)).toEqual(receipts.map((_, i) => receipts[0].index + i))
    for (const receipt of receipts) expect(daemon.service.operator.leaves(receipt.index, receipt.index + 1)).toEqual([receipt.leaf])
    expect(await messageSessions('ok')).toBe(before + 1)
  })

  it('queues concurrent calls onto its one stream, answering each its own', async () => {
    const keys = await signedUp(4)
    const messages = new MessageStream(client, daemon.address)
    const ciphertexts = keys.map((keypair) => makeDeactivation(keypair, params).ciphertext)
    const receipts = await Promise.all(ciphertexts.map((ciphertext) => messages.deactivate(ciphertext)))
    await messages.close()
    // Each receipt is the one for its own ciphertext: the log holds it at the receipt's index.
    receipts.forEach((receipt, i) => expect(daemon.service.operator.deactivationLog(receipt.index, receipt.index + 1).map((logged) => Uint8Array.from(logged))).toEqual([Uint8Array.from(ciphertexts[i])]))
  })

  it('after a refusal, gives the typed error and takes the next message on a fresh stream', async () => {
    const [known] = await signedUp(1)
    const messages = new MessageStream(client, daemon.address)
    const stranger = makeDeactivation(generateKeypair(), params).ciphertext
    const refusal = await messages.deactivate(stranger).catch((caught: unknown) => caught)
    expect(refusal).toBeInstanceOf(RemoteAbortError)
    expect(refusal).toMatchObject({ remoteCode: 'REFUSED' })
    const receipt = await messages.deactivate(makeDeactivation(known, params).ciphertext)
    expect(daemon.service.operator.leaves(receipt.index, receipt.index + 1)).toEqual([receipt.leaf])
    await messages.close()
  })

  it('takes a fresh stream when its stream ended while idle, instead of failing the next message', async () => {
    const keys = await signedUp(2)
    const messages = new MessageStream(client, daemon.address)
    await messages.deactivate(makeDeactivation(keys[0], params).ciphertext)
    // The connection drops between two messages, as when the operator restarts.
    await Promise.all(client.getConnections().map((connection) => connection.close()))
    const receipt = await messages.deactivate(makeDeactivation(keys[1], params).ciphertext)
    expect(daemon.service.operator.leaves(receipt.index, receipt.index + 1)).toEqual([receipt.leaf])
    await messages.close()
  })

  it('closes a stream left idle, so that it holds no slot of the operator', async () => {
    const [keypair] = await signedUp(1)
    await until(() => daemon.service.host.server.activeSessions === 0)
    const messages = new MessageStream(client, daemon.address)
    await messages.deactivate(makeDeactivation(keypair, params).ciphertext)
    expect(daemon.service.host.server.activeSessions).toBe(1)
    await until(() => daemon.service.host.server.activeSessions === 0, IDLE_CLOSE_MS + 2_000)
    await messages.close()
  })

  it('takes a new stream once the old one is past its reuse window, before the server would cut it', async () => {
    const saved = { ...LIMITS.message }
    // Reuse window: the session deadline less the step timeout, here 400 ms.
    Object.assign(LIMITS.message, { sessionDeadlineMs: 1_400, stepTimeoutMs: 1_000 })
    try {
      const before = await messageSessions('ok')
      const keys = await signedUp(2)
      const messages = new MessageStream(client, daemon.address)
      await messages.deactivate(makeDeactivation(keys[0], params).ciphertext)
      await new Promise((resolve) => setTimeout(resolve, 600))
      await messages.deactivate(makeDeactivation(keys[1], params).ciphertext)
      await messages.close()
      // Two sessions, both ended normally: the first was retired by the client, not cut by the server's deadline.
      expect(await messageSessions('ok')).toBe(before + 2)
    } finally {
      Object.assign(LIMITS.message, saved)
    }
  })
})
