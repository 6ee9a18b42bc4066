/**
 * A peer that closes, stalls, truncates, overfills, sends the wrong message or disagrees on
 * parameters ends the other side's protocol with a typed ChannelError, quickly: never a hang,
 * never a silently wrong result.
 */
import { describe, expect, it } from 'vitest'
import { open } from '../../src/mpc/arithmetic.js'
import { baseOtSend } from '../../src/mpc/base-ot.js'
import type { ChannelErrorCode } from '../../src/mpc/channel.js'
import { Fr } from '../../src/crypto/field.js'
import { encodeFieldElements } from '../../src/mpc/arithmetic.js'
import { secureEquality } from '../../src/mpc/garbled/equality.js'
import { correlatedOtSend } from '../../src/mpc/ot-extension.js'
import { MessageTag, agreeParameters } from '../../src/mpc/session.js'
import { generateTriples } from '../../src/mpc/triples.js'
import { sessionPair } from './helpers/sessions.js'

const TIMEOUT_MS = 150

async function expectChannelError(run: Promise<unknown>, code: ChannelErrorCode, withinMs: number): Promise<void> {
  const started = performance.now()
  await expect(run).rejects.toMatchObject({ name: 'ChannelError', code })
  expect(performance.now() - started).toBeLessThan(withinMs)
}

const frame = (tag: number, payload: Uint8Array) => new Uint8Array([tag, ...payload])

describe('error paths', () => {
  it('a peer that closes mid-protocol gives CLOSED on both sides', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: 5_000 })
    const send = s1.channel.send.bind(s1.channel)
    let sends = 0
    s1.channel.send = async (message) => {
      await send(message)
      // After the base OT and its first IKNP columns, party 1 goes away.
      if (++sends === 2) await s1.channel.close()
    }
    await Promise.all([
      expectChannelError(generateTriples(s0, 10, { otSender: 0 }), 'CLOSED', 3_000),
      expectChannelError(generateTriples(s1, 10, { otSender: 0 }), 'CLOSED', 3_000),
    ])
  })

  it('a truncated frame gives UNEXPECTED', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    await s1.channel.send(frame(MessageTag.openedShares, new Uint8Array(31)))
    await expectChannelError(open(s0, [5n]), 'UNEXPECTED', 100)
  })

  it('an oversized frame gives OVERSIZED', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    await s1.channel.send(frame(MessageTag.openedShares, new Uint8Array(33)))
    await expectChannelError(open(s0, [5n]), 'OVERSIZED', 100)
  })

  it('a message of another protocol step gives UNEXPECTED', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    await s1.channel.send(frame(MessageTag.oleCorrections, new Uint8Array(32)))
    await expectChannelError(open(s0, [5n]), 'UNEXPECTED', 100)
  })

  it('a non-canonical field element gives MALFORMED', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    const bytes = encodeFieldElements([Fr.ORDER - 1n])
    bytes[0] += 1
    await s1.channel.send(frame(MessageTag.openedShares, bytes))
    await expectChannelError(open(s0, [5n]), 'MALFORMED', 100)
  })

  it('bytes that are no ristretto255 point give MALFORMED in the base OT', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    await s1.channel.send(frame(MessageTag.baseOtReceiver, new Uint8Array(32 * 4).fill(0xff)))
    await expectChannelError(baseOtSend(s0, 4), 'MALFORMED', 1_000)
  })

  it('a silent peer gives TIMEOUT after the session timeout', async () => {
    const [s0] = sessionPair({ timeoutMs: TIMEOUT_MS })
    const started = performance.now()
    await expectChannelError(secureEquality(s0, 'garbler', 3n, 8), 'TIMEOUT', TIMEOUT_MS + 1_000)
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5)
  })

  it('a truncated garbled circuit gives UNEXPECTED to the evaluator', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: 5_000 })
    await Promise.all([secureEquality(s0, 'garbler', 1n, 8), secureEquality(s1, 'evaluator', 1n, 8)])
    const evaluating = secureEquality(s1, 'evaluator', 2n, 8)
    // The OT extension runs honestly; then the garbler's reply to 8 evaluator inputs, 8 labels
    // + 7 tables = 352 bytes, comes one byte short.
    await correlatedOtSend(s0, 8)
    await s0.channel.send(frame(MessageTag.garbledCircuit, new Uint8Array(351)))
    await expectChannelError(evaluating, 'UNEXPECTED', 100)
  })

  it('parties with different parameters stop with PARAMETERS', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: TIMEOUT_MS })
    await Promise.all([
      expectChannelError(agreeParameters(s0, new Uint8Array([1, 2, 3])), 'PARAMETERS', 100),
      expectChannelError(agreeParameters(s1, new Uint8Array([1, 2, 4])), 'PARAMETERS', 100),
    ])
    const before = s0.channel.stats.bytesSent
    await Promise.all([agreeParameters(s0, new Uint8Array([9])), agreeParameters(s1, new Uint8Array([9]))])
    expect(s0.channel.stats.bytesSent - before).toBe(33)
  })
})
