/**
 * Attack 6 of issue 8, reactivation lock-out: with a few reactivation slots per node, an
 * attacker holds them all with streams that never finish (idle, or a hello trickled byte
 * by byte), with hellos the operator cannot use, or with many sessions from one peer or one
 * address, and every honest voter waits for hours. Performed here against a real operator
 * daemon over libp2p on 127.0.0.1, by raw clients. The deadlines are shortened through
 * LIMITS.reactivate, which the server reads at every session, so the test runs in seconds,
 * and loopback is counted per address as any other address is (ADMISSION), since every
 * attacker here comes from 127.0.0.1.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import type { Node } from '../../src/daemon/node.js'
import type { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { RemoteAbortError } from '../../src/protocol/errors.js'
import { encodeFrame } from '../../src/protocol/framing.js'
import { ADMISSION, LIMITS, PROTOCOLS, type ProtocolLimits } from '../../src/protocol/ids.js'
import { ReactivationSessionError } from '../../src/core/reactivation/errors.js'
import { ACKNOWLEDGEMENT_TEXT } from '../../src/core/reactivation/messages.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../../src/core/reactivation/voter-session.js'
import { openReactivation, runVoterSession } from '../../src/protocol/reactivate.js'
import { StreamChannel } from '../../src/protocol/stream-channel.js'
import type { ProofWithSignals } from '../../src/zk/groth16.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { encodeProof } from '../../src/zk/proof-encoding.js'
import { startOperator, type RunningOperator } from '../network/fixtures.js'
import { localNode, until } from '../network/helpers.js'
import { AnonymousClient } from '../../src/daemon/voter-client.js'

const FIRST_MESSAGE_MS = 1_000
const SESSION_MS = 3_000
/** Status bytes of the hello reply (src/core/reactivation/messages.ts). */
const STATUS = { proceed: 0, unknownRoot: 3, badProof: 4, inProgress: 6 }

let daemon: RunningOperator
let operator: Operator
const nodes: Node[] = []
const prepared: PreparedReactivation[] = []
const original: ProtocolLimits = { ...LIMITS.reactivate }

function limits(changes: Partial<ProtocolLimits>): void {
  Object.assign(LIMITS.reactivate, original, { firstMessageDeadlineMs: FIRST_MESSAGE_MS, sessionDeadlineMs: SESSION_MS }, changes)
}

async function freshNode(): Promise<Node> {
  const node = await localNode(false)
  nodes.push(node)
  return node
}

/** libp2p throttles new inbound connections from one host, and every node here is 127.0.0.1. */
async function retried<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      if (attempt === 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
  }
}

const dial = (from: Node) => retried(() => from.dialProtocol(daemon.address, PROTOCOLS.reactivate))
/** The honest voter's way in, as the voter client opens it. */
const openAsVoter = async (from?: Node) => {
  const node = from ?? (await freshNode())
  return retried(() => openReactivation(node, daemon.address))
}

/** A raw reactivate stream, with a channel on it to read what the operator sends back. */
async function raw(from?: Node) {
  const stream = await dial(from ?? (await freshNode()))
  const opened = performance.now()
  const reader = new StreamChannel(stream, { timeoutMs: 30_000, maxBytes: 1 << 20 })
  return { stream, reader, opened }
}

/** The attacker's hello: the layout of the reactivate protocol, with any membership proof. */
function hello(membership: ProofWithSignals): Uint8Array {
  return Buffer.concat([Buffer.from('MAR2'), randomBytes(32), encodeProof(membership)])
}

/** Reads until the session ends; returns what ended it and the data messages before. */
async function drain(reader: StreamChannel): Promise<{ error: unknown; messages: Uint8Array[] }> {
  const messages: Uint8Array[] = []
  for (;;) {
    try {
      messages.push(await reader.receive())
    } catch (error) {
      await reader.close()
      return { error, messages }
    }
  }
}

function expectAbort(error: unknown, code: string): RemoteAbortError {
  expect(error).toBeInstanceOf(RemoteAbortError)
  expect((error as RemoteAbortError).remoteCode).toBe(code)
  return error as RemoteAbortError
}

/** A session past its hello that then stops answering: it holds a slot for as long as the operator lets it. */
async function holder(membership: ProofWithSignals, from?: Node) {
  const session = await raw(from)
  await session.reader.send(hello(membership))
  const reply = await session.reader.receive()
  expect(reply[32]).toBe(STATUS.proceed)
  return session
}

const activeSessions = () => daemon.service.host.server.activeSessions

beforeAll(async () => {
  ADMISSION.capLoopback = true
  daemon = await startOperator()
  operator = daemon.service.operator
  const params = operator.publicParameters()
  const deactivations = []
  for (let i = 0; i < 4; i++) {
    const keypair = generateKeypair()
    await operator.signup(keypair.publicKey)
    const deactivation = makeDeactivation(keypair, params)
    deactivations.push({ deactivation, index: (await operator.submitDeactivation(deactivation.ciphertext)).index })
  }
  const leaves = operator.leaves(0, operator.status().deactivations)
  for (const { deactivation, index } of deactivations) {
    const reactivation = prepareVoterReactivation({ secret: deactivation.secret, leafIndex: index, leaves, newPublicKey: generateKeypair().publicKey, params, deactivatedUnder: params.keyCommitment })
    await reactivation.membership
    prepared.push(reactivation)
  }
}, 60_000)

afterAll(async () => {
  Object.assign(LIMITS.reactivate, original)
  ADMISSION.capLoopback = false
  await Promise.all(nodes.map((node) => node.stop()))
  await daemon.stop()
  await releaseProverThreads()
})

describe('attack 6: reactivation lock-out', () => {
  it('idle streams are cut at the hello deadline, with a TIMEOUT abort, and their slots freed', async () => {
    limits({ maxSessions: 2, maxSessionsPerAddress: 2 })
    const idle = await Promise.all([raw(), raw()])
    const ends = await Promise.all(idle.map(async ({ reader, opened }) => ({ ...(await drain(reader)), after: performance.now() - opened })))
    for (const end of ends) {
      expectAbort(end.error, 'TIMEOUT')
      expect(end.messages).toHaveLength(0)
      expect(end.after).toBeLessThan(FIRST_MESSAGE_MS + 1_500)
    }
    await until(() => activeSessions() === 0, 2_000)
  })

  it('a hello trickled byte by byte gains nothing: the deadline counts from the opening', async () => {
    limits({})
    const { stream, reader, opened } = await raw()
    const frame = encodeFrame('data', hello(await prepared[0].membership))
    let sent = 0
    const trickle = setInterval(() => {
      if (sent < frame.length && stream.writeStatus === 'writable') stream.send(frame.subarray(sent, ++sent))
    }, 50)
    try {
      const end = await drain(reader)
      expectAbort(end.error, 'TIMEOUT')
      expect(performance.now() - opened).toBeLessThan(FIRST_MESSAGE_MS + 1_500)
      expect(sent).toBeLessThan(frame.length)
    } finally {
      clearInterval(trickle)
    }
    await until(() => activeSessions() === 0, 2_000)
  })

  it('a session that stops answering after its hello is cut at the whole-session deadline', async () => {
    limits({})
    const { reader, opened } = await holder(await prepared[0].membership)
    const end = await drain(reader)
    const abort = expectAbort(end.error, 'TIMEOUT')
    expect(abort.reason).toMatch(/session deadline/)
    const after = performance.now() - opened
    expect(after).toBeGreaterThan(SESSION_MS - 500)
    expect(after).toBeLessThan(SESSION_MS + 2_000)
    await until(() => activeSessions() === 0, 2_000)
  })

  it('a hello whose membership proof fails is refused at hello, before any 2PC message', async () => {
    limits({})
    const valid = await prepared[1].membership
    const forged = { ...valid, publicSignals: valid.publicSignals.map((signal, i) => (i === 2 ? '12345' : signal)) }
    const unknownRoot = { ...valid, publicSignals: valid.publicSignals.map((signal, i) => (i === 0 ? '12345' : signal)) }
    for (const [membership, status] of [
      [forged, STATUS.badProof],
      [unknownRoot, STATUS.unknownRoot],
    ] as const) {
      const { reader } = await raw()
      await reader.send(hello(membership))
      const end = await drain(reader)
      // The reply and then the end: no parameter agreement, no OT, nothing of the 2PC.
      expect(end.messages).toHaveLength(1)
      expect(end.messages[0][32]).toBe(status)
      expectAbort(end.error, 'REFUSED')
    }
    // The honest client API turns the same refusal into a typed error.
    const channel = await openAsVoter()
    const refused = await runVoterSession(channel, { ...prepared[1], membership: Promise.resolve(forged) }).catch((error: unknown) => error)
    await channel.close()
    expect(refused).toBeInstanceOf(ReactivationSessionError)
    expect(refused).toMatchObject({ code: 'BAD_MEMBERSHIP_PROOF' })
    expect(operator.status().reactivationAttempts).toBe(0)
  })

  it('a second concurrent session with the same N is refused at hello', async () => {
    limits({})
    const first = await holder(await prepared[0].membership)
    const second = await raw()
    await second.reader.send(hello(await prepared[0].membership))
    const end = await drain(second.reader)
    expect(end.messages).toHaveLength(1)
    expect(end.messages[0][32]).toBe(STATUS.inProgress)
    expectAbort(end.error, 'REFUSED')
    await first.reader.close()
    await until(() => activeSessions() === 0, 2_000)
  })

  it('one peer gets one session at a time, one address a few, each refused as UNAVAILABLE with a retry time', async () => {
    limits({ maxSessions: 4, maxSessionsPerPeer: 1, maxSessionsPerAddress: 2 })
    const peer = await freshNode()
    const first = await holder(await prepared[0].membership, peer)
    const again = await raw(peer)
    const perPeer = expectAbort((await drain(again.reader)).error, 'UNAVAILABLE')
    expect(perPeer.reason).toMatch(/this peer already runs 1 reactivate session.*retry in [1-3] s/)

    // A fresh peer ID on the same address: one more slot, then the address is full.
    const second = await holder(await prepared[1].membership)
    const third = await raw()
    const perAddress = expectAbort((await drain(third.reader)).error, 'UNAVAILABLE')
    expect(perAddress.reason).toMatch(/this address already runs 2 reactivate sessions.*retry in [1-3] s/)
    await Promise.all([first.reader.close(), second.reader.close()])
    await until(() => activeSessions() === 0, 2_000)
  })

  it('an honest voter at a full node is told "busy, retry in N s", and gets through once the holders time out', async () => {
    limits({ maxSessions: 2, maxSessionsPerAddress: 3 })
    const holders = await Promise.all([holder(await prepared[0].membership), holder(await prepared[1].membership)])
    const voter = await freshNode()
    const channel = await openAsVoter(voter)
    const started = performance.now()
    const busy = await runVoterSession(channel, prepared[2]).catch((error: unknown) => error)
    await channel.close()
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(busy).toBeInstanceOf(ReactivationSessionError)
    const { code, retryAfterSeconds, message } = busy as ReactivationSessionError
    expect(code).toBe('BUSY')
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(retryAfterSeconds).toBeLessThanOrEqual(SESSION_MS / 1000)
    expect(message).toContain(`busy, retry in ${retryAfterSeconds} s`)

    // The holders never answer; the deadline frees their slots without anyone's help.
    await Promise.all(holders.map(async ({ reader }) => expectAbort((await drain(reader)).error, 'TIMEOUT')))
    await until(() => activeSessions() === 0, 2_000)
    // A real session needs more than the shortened deadline on a loaded machine.
    limits({ maxSessions: 2, sessionDeadlineMs: 60_000 })
    const retry = await openAsVoter(voter)
    try {
      expect(await runVoterSession(retry, prepared[2])).toEqual({ acknowledgement: ACKNOWLEDGEMENT_TEXT })
    } finally {
      await retry.close()
    }
    expect(operator.status().reactivationAttempts).toBe(1)
  }, 60_000)

  it('the voter client retries a busy operator by itself, and gets through once a slot is free', async () => {
    // Earlier cases leave nodes connected; loopback is capped per address here (ADMISSION).
    await Promise.all(nodes.splice(0).map((node) => node.stop()))
    limits({ maxSessions: 1, maxSessionsPerAddress: 3 })
    const holding = await holder(await prepared[0].membership)
    // Sessions admitted from now on get time enough for a real 2PC; the holder keeps its short deadline.
    limits({ maxSessions: 1, maxSessionsPerAddress: 3, sessionDeadlineMs: 60_000 })
    const client = await AnonymousClient.start({ operator: daemon.address, replicas: [] })
    const waits: number[] = []
    const before = operator.status().reactivationAttempts
    try {
      const result = await client.reactivate(prepared[3], { onBusy: (waitMs, reason) => {
        expect(reason).toMatch(/busy, retry in \d+ s/)
        waits.push(waitMs)
      } })
      expect(result).toEqual({ acknowledgement: ACKNOWLEDGEMENT_TEXT })
    } finally {
      await client.stop()
    }
    expectAbort((await drain(holding.reader)).error, 'TIMEOUT')
    expect(waits.length).toBeGreaterThanOrEqual(1)
    waits.forEach((waitMs) => expect(waitMs).toBeLessThanOrEqual(SESSION_MS))
    expect(operator.status().reactivationAttempts).toBe(before + 1)
  }, 90_000)
})
