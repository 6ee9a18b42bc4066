/**
 * The gate of the reactivation session (src/core/reactivation/, and the BUSY mapping of
 * src/protocol/reactivate.ts), issue 14: the hello and what the operator checks in it, each
 * refusal with its status byte and the code and text the voter reads back, the reservation
 * of N and L while a session runs and their release when it ends, the release check of the
 * operator's vkeys, and a busy operator that closed the stream before the hello. No 2PC runs here: the operator side gets a stub
 * operator whose admission answers what each test says, and an admitted session is cut off
 * at the parameter agreement. This is the fast suite Stryker uses for these lines
 * (docs/MUTATION.md). Every test builds its own stub, so none depends on another's state.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { ReactivationRejected, type ReactivationRejection } from '../../src/core/reactivation.js'
import { type Operator } from '../../src/daemon/operator.js'
import { type PublicParameters } from '../../src/core/parameters.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { ChannelError, type Channel } from '../../src/mpc/channel.js'
import { memoryChannelPair, type MemoryChannel } from '../../src/mpc/memory-channel.js'
import { busyReason, RemoteAbortError } from '../../src/protocol/errors.js'
import { ReactivationSessionError } from '../../src/core/reactivation/errors.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../../src/core/reactivation/voter-session.js'
import { runVoterSession } from '../../src/protocol/reactivate.js'
import type { ProofWithSignals } from '../../src/zk/groth16.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { encodeProof, PROOF_BYTES } from '../../src/zk/proof-encoding.js'
import { freshOperator } from '../operator/helpers.js'

/** The hello: tag, the voter's nonce, the membership proof with its four public signals. */
const TAG = Buffer.from('MAR2')
const HELLO_BYTES = TAG.length + 32 + PROOF_BYTES + 4 * 32
/** The reply: the operator's nonce and one status byte. */
const REPLY_BYTES = 33

/** The refusal codes in the order of their status bytes (1, 2, ...), and what the voter is told. */
const REFUSALS = [
  ['NULLIFIER_USED', 'this deactivation was already used to reactivate'],
  ['LINK_USED', 'the operator refused the link'],
  ['UNKNOWN_ROOT', 'the operator does not know the root the membership proof is against'],
  ['BAD_MEMBERSHIP_PROOF', 'the operator found the membership proof invalid'],
  ['MALFORMED', 'the operator could not read the membership proof'],
  ['IN_PROGRESS', 'a session with this deactivation is already running'],
] as const
const statusOf = (code: string) => REFUSALS.findIndex(([refusal]) => refusal === code) + 1

afterAll(() => releaseProverThreads())

describe('the reactivation hello', () => {
  let params: PublicParameters
  let prepared: PreparedReactivation
  let membership: ProofWithSignals
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const fresh = await freshOperator()
    cleanup = fresh.cleanup
    const keypair = generateKeypair()
    await fresh.operator.signup(keypair.publicKey)
    params = fresh.operator.publicParameters()
    const deactivation = makeDeactivation(keypair, params)
    const { index } = await fresh.operator.submitDeactivation(deactivation.ciphertext)
    prepared = prepareVoterReactivation({
      secret: deactivation.secret,
      leafIndex: index,
      leaves: fresh.operator.leaves(0, fresh.operator.status().deactivations),
      newPublicKey: generateKeypair().publicKey,
      params,
      deactivatedUnder: params.keyCommitment,
    })
    membership = await prepared.membership
  })
  afterAll(() => cleanup())

  const hello = () => Buffer.concat([TAG, randomBytes(32), encodeProof(membership)])

  /** An operator whose admission is `admit`; it records every membership proof it was asked about. */
  function stubOperator(admit: () => Promise<{ nullifier: bigint; link: bigint }>) {
    const asked: ProofWithSignals[] = []
    const operator = {
      admitReactivation: async (proof: ProofWithSignals) => {
        asked.push(proof)
        return { ...(await admit()), newKeyHash: 0n, root: 0n }
      },
      publicParameters: () => params,
      // The operator's inputs enter its preprocessing (its MSMs over the wires it knows).
      leafKeySecrets: () => ({ K: 5n, kappa: 7n }),
    } as unknown as Operator
    return { operator, asked }
  }

  /** The operator side on `operator`, with the test as the voter: it sends `bytes` as the hello. */
  async function serveRaw(operator: Operator, bytes: Uint8Array) {
    const [operatorChannel, voterChannel] = memoryChannelPair({ record: true, timeoutMs: 20_000 })
    const served = serveReactivation(operatorChannel, operator)
    served.catch(() => undefined)
    await voterChannel.send(bytes)
    return { served, operatorChannel, voterChannel }
  }

  const sent = (channel: MemoryChannel) => channel.transcript.filter((entry) => entry.direction === 'sent').map((entry) => entry.bytes)

  it('the hello the voter sends: tag, nonce and its membership proof, of the fixed length', async () => {
    const [operatorEnd, voterEnd] = memoryChannelPair({ timeoutMs: 20_000 })
    const voter = runVoterSession(voterEnd, prepared)
    voter.catch(() => undefined)
    const bytes = Buffer.from(await operatorEnd.receive())
    expect(bytes.length).toBe(HELLO_BYTES)
    expect(bytes.subarray(0, 4).equals(TAG)).toBe(true)
    expect(bytes.subarray(36).equals(Buffer.from(encodeProof(membership)))).toBe(true)
    await operatorEnd.close()
    await expect(voter).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('a hello with another protocol tag is refused as PROTOCOL, before admission, with no reply', async () => {
    const { operator, asked } = stubOperator(async () => ({ nullifier: 1n, link: 2n }))
    const bytes = hello()
    bytes.write('MAR1', 0)
    const { served, operatorChannel } = await serveRaw(operator, bytes)
    await expect(served).rejects.toBeInstanceOf(ReactivationSessionError)
    await expect(served).rejects.toMatchObject({ code: 'PROTOCOL', message: 'PROTOCOL: not a reactivation hello' })
    expect(asked).toHaveLength(0)
    expect(sent(operatorChannel)).toHaveLength(0)
  })

  it('a hello one byte short is UNEXPECTED, one byte long OVERSIZED, both before admission', async () => {
    const { operator, asked } = stubOperator(async () => ({ nullifier: 1n, link: 2n }))
    const short = await serveRaw(operator, hello().subarray(0, HELLO_BYTES - 1))
    await expect(short.served).rejects.toBeInstanceOf(ChannelError)
    await expect(short.served).rejects.toMatchObject({ code: 'UNEXPECTED', message: `UNEXPECTED: hello: expected ${HELLO_BYTES} bytes, got ${HELLO_BYTES - 1}` })
    const long = await serveRaw(operator, Buffer.concat([hello(), Buffer.from([0])]))
    await expect(long.served).rejects.toMatchObject({ code: 'OVERSIZED' })
    expect(asked).toHaveLength(0)
    expect([...sent(short.operatorChannel), ...sent(long.operatorChannel)]).toHaveLength(0)
  })

  it('a hello whose membership proof does not decode is MALFORMED, before admission, with no reply', async () => {
    const { operator, asked } = stubOperator(async () => ({ nullifier: 1n, link: 2n }))
    const bytes = hello()
    bytes.fill(0xff, 36)
    const { served, operatorChannel } = await serveRaw(operator, bytes)
    await expect(served).rejects.toBeInstanceOf(ChannelError)
    await expect(served).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/^MALFORMED: hello: /) })
    expect(asked).toHaveLength(0)
    expect(sent(operatorChannel)).toHaveLength(0)
  })

  it('each refusal at admission: one reply with its status byte, and the voter reads back its code and text', async () => {
    const cases: Array<[ReactivationRejection, string]> = [
      ['NULLIFIER_USED', 'NULLIFIER_USED'],
      ['LINK_USED', 'LINK_USED'],
      ['UNKNOWN_ROOT', 'UNKNOWN_ROOT'],
      ['BAD_MEMBERSHIP_PROOF', 'BAD_MEMBERSHIP_PROOF'],
      ['MALFORMED', 'MALFORMED'],
      // A rejection the hello has no status for is reported as MALFORMED.
      ['KEY_MISMATCH', 'MALFORMED'],
    ]
    for (const [rejection, code] of cases) {
      const { operator, asked } = stubOperator(async () => {
        throw new ReactivationRejected(rejection, 'the stub says no')
      })
      const [operatorChannel, voterChannel] = memoryChannelPair({ record: true, timeoutMs: 20_000 })
      const [served, voter] = await Promise.allSettled([serveReactivation(operatorChannel, operator), runVoterSession(voterChannel, prepared)])
      expect(served, rejection).toMatchObject({ status: 'rejected', reason: { name: 'ReactivationSessionError', code, message: `${code}: refused at hello` } })
      const text = REFUSALS.find(([refusal]) => refusal === code)![1]
      expect(voter, rejection).toMatchObject({ status: 'rejected', reason: { name: 'ReactivationSessionError', code, message: `${code}: ${text}` } })
      expect(asked).toHaveLength(1)
      expect(Buffer.from(encodeProof(asked[0])).equals(Buffer.from(encodeProof(membership)))).toBe(true)
      const replies = sent(operatorChannel)
      expect(replies).toHaveLength(1)
      expect(replies[0]).toHaveLength(REPLY_BYTES)
      expect(replies[0][32], rejection).toBe(statusOf(code))
      // The voter sent its hello and nothing after the refusal.
      expect(sent(voterChannel)).toHaveLength(1)
    }
  })

  it('an admission that fails for another reason than a refusal is the operator\'s own error, and sends nothing', async () => {
    const failure = new Error('the store is gone')
    const { operator } = stubOperator(async () => {
      throw failure
    })
    const { served, operatorChannel } = await serveRaw(operator, hello())
    await expect(served).rejects.toBe(failure)
    expect(sent(operatorChannel)).toHaveLength(0)
  })

  it('a running session holds its N and its L: a hello with either is IN_PROGRESS; when it ends, both are free again', async () => {
    const [N1, N2, L1, L2] = [11n, 12n, 21n, 22n]
    const answers = [
      { nullifier: N1, link: L1 },
      { nullifier: N1, link: L2 },
      { nullifier: N2, link: L1 },
      { nullifier: N2, link: L2 },
      { nullifier: N1, link: L1 },
    ]
    const { operator } = stubOperator(async () => answers.shift()!)
    const statusAfter = async (session: Awaited<ReturnType<typeof serveRaw>>) => {
      const reply = await session.voterChannel.receive()
      expect(reply).toHaveLength(REPLY_BYTES)
      return reply[32]
    }

    const first = await serveRaw(operator, hello())
    expect(await statusAfter(first)).toBe(0)
    for (const clash of ['same N', 'same L']) {
      const second = await serveRaw(operator, hello())
      expect(await statusAfter(second), clash).toBe(statusOf('IN_PROGRESS'))
      await expect(second.served, clash).rejects.toMatchObject({ code: 'IN_PROGRESS' })
    }
    // Neither N nor L held: admitted while the first still runs.
    const other = await serveRaw(operator, hello())
    expect(await statusAfter(other)).toBe(0)
    await other.voterChannel.close()
    await expect(other.served).rejects.toMatchObject({ code: 'CLOSED' })

    // The first session ends (here the voter goes away at the parameter agreement): N1 and L1 are free.
    await first.voterChannel.close()
    await expect(first.served).rejects.toMatchObject({ code: 'CLOSED' })
    const again = await serveRaw(operator, hello())
    expect(await statusAfter(again)).toBe(0)
    await again.voterChannel.close()
    await expect(again.served).rejects.toMatchObject({ code: 'CLOSED' })
    expect(answers).toHaveLength(0)
  })

  it('with an honest voter, both sides agree on the session (its nonces and parameters) and go on to the triples', async () => {
    const { operator } = stubOperator(async () => ({ nullifier: 31n, link: 41n }))
    const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 20_000 })
    const phases = { operator: [] as string[], voter: [] as string[] }
    let bothPastAgreement!: () => void
    const past = new Promise<void>((resolve) => (bothPastAgreement = resolve))
    const onPhase = (side: 'operator' | 'voter') => (phase: string) => {
      phases[side].push(phase)
      if (phases.operator.includes('triples') && phases.voter.includes('triples')) bothPastAgreement()
    }
    const served = serveReactivation(operatorChannel, operator, { onPhase: onPhase('operator') })
    const voter = runVoterSession(voterChannel, prepared, { onPhase: onPhase('voter') })
    served.catch(() => undefined)
    voter.catch(() => undefined)
    // A disagreement (another session id, other parameters) would end both with PARAMETERS instead.
    await Promise.race([past, served, voter])
    expect(phases).toEqual({ operator: ['handshake', 'triples'], voter: ['handshake', 'triples'] })
    await voterChannel.close()
    await expect(served).rejects.toBeInstanceOf(ChannelError)
    await expect(voter).rejects.toBeInstanceOf(ChannelError)
  })

  it('the voter goes on to the parameter agreement after PROCEED, and stops at an unknown status or a short reply', async () => {
    /** The voter against a fake operator that answers its hello with `reply`, then reads what comes next. */
    async function voterAgainst(reply: Uint8Array) {
      const [operatorEnd, voterEnd] = memoryChannelPair({ timeoutMs: 20_000 })
      const voter = runVoterSession(voterEnd, prepared)
      voter.catch(() => undefined)
      expect(await operatorEnd.receive()).toHaveLength(HELLO_BYTES)
      await operatorEnd.send(reply)
      return { voter, operatorEnd }
    }
    const nonce = randomBytes(32)

    const proceed = await voterAgainst(Buffer.concat([nonce, Buffer.from([0])]))
    // The parameter agreement's message: the voter did go on.
    expect((await proceed.operatorEnd.receive()).length).toBeGreaterThan(0)
    await proceed.operatorEnd.close()
    await expect(proceed.voter).rejects.toMatchObject({ name: 'ChannelError', code: 'CLOSED' })

    const unknown = await voterAgainst(Buffer.concat([nonce, Buffer.from([REFUSALS.length + 1])]))
    await expect(unknown.voter).rejects.toBeInstanceOf(ReactivationSessionError)
    await expect(unknown.voter).rejects.toMatchObject({ code: 'PROTOCOL', message: `PROTOCOL: unknown hello status ${REFUSALS.length + 1}` })

    const short = await voterAgainst(nonce)
    await expect(short.voter).rejects.toMatchObject({ name: 'ChannelError', code: 'UNEXPECTED', message: `UNEXPECTED: hello reply: expected ${REPLY_BYTES} bytes, got 32` })
  })

  it("sends nothing to an operator whose published vkeys are not this release's", async () => {
    const [, voterChannel] = memoryChannelPair({ record: true })
    const rogue = { ...params, vkeyHashes: { ...params.vkeyHashes, leafOpening: '00'.repeat(32) } }
    const attempt = runVoterSession(voterChannel, { ...prepared, params: rogue })
    await expect(attempt).rejects.toBeInstanceOf(ReactivationSessionError)
    await expect(attempt).rejects.toMatchObject({ code: 'RELEASE_MISMATCH', message: "RELEASE_MISMATCH: the operator publishes verification keys that are not this release's" })
    expect(voterChannel.transcript).toHaveLength(0)
  })

  describe('an operator that closed the stream before the hello', () => {
    /** A channel whose send fails with `sendError` and whose receive gives `queued`, the reason the operator left. */
    function leftChannel(sendError: Error, queued: Error) {
      const receives: unknown[] = []
      const channel: Channel = {
        stats: { bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesReceived: 0 },
        send: async () => {
          throw sendError
        },
        receive: async (options) => {
          receives.push(options)
          throw queued
        },
        close: async () => undefined,
      }
      return { channel, receives }
    }
    const closed = new ChannelError('CLOSED', 'the channel is closed')

    it('a busy one: the voter reads its queued reason, waiting a second at most, and reports BUSY with the delay', async () => {
      const reason = busyReason('reactivation sessions', 7)
      const { channel, receives } = leftChannel(closed, new RemoteAbortError('UNAVAILABLE', reason))
      const attempt = runVoterSession(channel, prepared)
      await expect(attempt).rejects.toBeInstanceOf(ReactivationSessionError)
      await expect(attempt).rejects.toMatchObject({ code: 'BUSY', retryAfterSeconds: 7, message: `BUSY: ${reason}` })
      expect(receives).toEqual([{ timeoutMs: 1_000 }])
    })

    it('one that gave another reason: that reason, not BUSY', async () => {
      const refused = new RemoteAbortError('REFUSED', 'not today')
      const { channel } = leftChannel(closed, refused)
      await expect(runVoterSession(channel, prepared)).rejects.toBe(refused)
    })

    it('a send that failed for another reason than a close: that failure, with no wait for a reason', async () => {
      for (const failure of [new ChannelError('TIMEOUT', 'send timed out'), Object.assign(new Error('not a channel error'), { code: 'CLOSED' })]) {
        const { channel, receives } = leftChannel(failure, new RemoteAbortError('UNAVAILABLE', busyReason('reactivation sessions', 7)))
        await expect(runVoterSession(channel, prepared)).rejects.toBe(failure)
        expect(receives).toEqual([])
      }
    })
  })
})
