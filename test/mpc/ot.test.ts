import { randomBytes } from 'node:crypto'
import { ristretto255 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { baseOtReceive, baseOtSend } from '../../src/mpc/base-ot.js'
import { correlatedOtReceive, correlatedOtSend } from '../../src/mpc/ot-extension.js'
import { MessageTag } from '../../src/mpc/session.js'
import { idealCorrelatedOtPair } from './helpers/ideal-cot.js'
import { randomOtReceive, randomOtSend } from './helpers/random-ot.js'
import { measure, sessionPair } from './helpers/sessions.js'

function randomChoices(n: number): Uint8Array {
  return Uint8Array.from(randomBytes(n), (byte) => byte & 1)
}

describe('base OT (Chou-Orlandi over ristretto255)', () => {
  it('gives the receiver exactly the key at its choice, with the exact transcript size', async () => {
    const sessions = sessionPair()
    const choices = randomChoices(128)
    const { result, sent, messages } = await measure(sessions, () =>
      Promise.all([baseOtSend(sessions[0], 128), baseOtReceive(sessions[1], choices)]),
    )
    const [{ zero, one }, received] = result
    for (let i = 0; i < 128; i++) {
      expect(received[i]).toEqual(choices[i] === 0 ? zero[i] : one[i])
      expect(received[i]).not.toEqual(choices[i] === 0 ? one[i] : zero[i])
    }
    expect(sent).toEqual([1 + 32, 1 + 32 * 128])
    expect(messages).toEqual([1, 1])
  })

  it('binds each key to its index and B: B_1 = B_0 + A does not make k_{1,1} equal k_{0,0}', async () => {
    const [s0, s1] = sessionPair()
    const sending = baseOtSend(s0, 2)
    const a = ristretto255.Point.fromBytes((await s1.channel.receive()).subarray(1))
    const b0 = ristretto255.Point.BASE.multiply(12345n)
    // a (B_0 + A) - a A = a B_0: the same shared point, so only i and B_i keep the keys apart.
    await s1.channel.send(new Uint8Array([MessageTag.baseOtReceiver, ...b0.toBytes(), ...b0.add(a).toBytes()]))
    const { zero, one } = await sending
    expect(one[1]).not.toEqual(zero[0])
    expect(new Set([...zero, ...one].map((key) => Buffer.from(key).toString('hex'))).size).toBe(4)
  })

  it('the receiver refuses an A that is the identity or no canonical encoding, with MALFORMED', async () => {
    const nonCanonical = new Uint8Array(32).fill(0xff)
    for (const a of [ristretto255.Point.ZERO.toBytes(), nonCanonical]) {
      const [s0, s1] = sessionPair()
      await s0.channel.send(new Uint8Array([MessageTag.baseOtSender, ...a]))
      await expect(baseOtReceive(s1, randomChoices(4))).rejects.toMatchObject({ name: 'ChannelError', code: 'MALFORMED' })
      expect(s1.channel.stats.messagesSent).toBe(0)
    }
  })
})

describe('IKNP OT extension', () => {
  it('correlated OTs: t_j = q_j ^ r_j * delta, with 16 bytes per OT and 192 OTs, a challenge and an answer for the check', async () => {
    const sessions = sessionPair()
    await Promise.all([correlatedOtSend(sessions[0], 1), correlatedOtReceive(sessions[1], randomChoices(1))])
    for (const count of [1, 31, 32, 1000, 4099]) {
      const choices = randomChoices(count)
      const { result, sent, messages } = await measure(sessions, () =>
        Promise.all([correlatedOtSend(sessions[0], count), correlatedOtReceive(sessions[1], choices)]),
      )
      const [{ delta, messages: q }, t] = result
      expect(delta[0] & 1).toBe(1)
      for (let j = 0; j < count; j++) {
        for (let w = 0; w < 4; w++) expect(t[4 * j + w]).toBe((q[4 * j + w] ^ (choices[j] ? delta[w] : 0)) >>> 0)
      }
      // Sender: the 16-byte challenge; receiver: columns for count + 192 OTs (to a multiple of 32), then the 32-byte answer.
      expect(sent).toEqual([1 + 16, 1 + 16 * Math.ceil((count + 192) / 32) * 32 + 1 + 32])
      expect(messages).toEqual([1, 2])
    }
  })

  it('random OTs: the receiver gets exactly the message at its choice', async () => {
    const sessions = sessionPair()
    await Promise.all([randomOtSend(sessions[0], 1), randomOtReceive(sessions[1], randomChoices(1))])
    const choices = randomChoices(5000)
    const { result, sent, messages } = await measure(sessions, () =>
      Promise.all([randomOtSend(sessions[0], 5000), randomOtReceive(sessions[1], choices)]),
    )
    const [{ zero, one }, chosen] = result
    expect(sent).toEqual([1 + 16, 1 + 16 * 5216 + 1 + 32])
    expect(messages).toEqual([1, 2])
    for (let j = 0; j < 5000; j++) {
      const expected = choices[j] ? one : zero
      const other = choices[j] ? zero : one
      expect(Array.from(chosen.subarray(4 * j, 4 * j + 4))).toEqual(Array.from(expected.subarray(4 * j, 4 * j + 4)))
      expect(Array.from(chosen.subarray(4 * j, 4 * j + 4))).not.toEqual(Array.from(other.subarray(4 * j, 4 * j + 4)))
    }
  })
})

describe('ideal correlated OT (test helper)', () => {
  it('gives t_j = q_j ^ r_j * delta in both directions, with one delta per direction', async () => {
    const ots = idealCorrelatedOtPair()
    for (const [sender, receiver] of [[ots[0], ots[1]], [ots[1], ots[0]]]) {
      const deltas = new Set<string>()
      for (const count of [1, 33, 500]) {
        const choices = randomChoices(count)
        const [{ delta, messages: q }, t] = await Promise.all([sender.send(count), receiver.receive(choices)])
        deltas.add(Array.from(delta).join())
        expect(delta[0] & 1).toBe(1)
        for (let j = 0; j < count; j++) {
          for (let w = 0; w < 4; w++) expect(t[4 * j + w]).toBe((q[4 * j + w] ^ (choices[j] ? delta[w] : 0)) >>> 0)
        }
      }
      expect(deltas.size).toBe(1)
    }
  })
})
