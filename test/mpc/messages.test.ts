/**
 * The typed messages and errors of src/mpc: each message's one encoding round-trips at its
 * exact length, each decoder refuses what its protocol refuses with that protocol's error,
 * and every such error is a ChannelError (and a MaciAnonError) with the code in its message.
 */
import { ristretto255 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { MaciAnonError } from '../../src/errors.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { BaseOtError, GarbledCircuitError, OleError, ParametersError } from '../../src/mpc/errors.js'
import { CircuitBuilder } from '../../src/mpc/garbled/circuit.js'
import { garbledCircuit, outputBits } from '../../src/mpc/garbled/messages.js'
import {
  baseOtReceiverPoints,
  baseOtSenderPoint,
  extensionChallenge,
  extensionCheck,
  extensionColumnBytes,
  extensionColumns,
  oleCorrections,
} from '../../src/mpc/messages.js'
import { extendedCount } from '../../src/mpc/ot-extension.js'
import { agreeParameters } from '../../src/mpc/session.js'
import { sessionPair } from './helpers/sessions.js'

const encoded = (scalar: bigint) => {
  const point = ristretto255.Point.BASE.multiply(scalar)
  return { point, bytes: point.toBytes() }
}

describe('typed messages', () => {
  it('round-trip at their exact lengths', () => {
    const a = encoded(7n)
    expect(baseOtSenderPoint.decode(baseOtSenderPoint.encode(a), undefined).point.equals(a.point)).toBe(true)
    const points = [encoded(1n), encoded(2n), { point: ristretto255.Point.ZERO, bytes: ristretto255.Point.ZERO.toBytes() }]
    const bytes = baseOtReceiverPoints.encode(points)
    expect(bytes.length).toBe(baseOtReceiverPoints.bytes(3))
    expect(baseOtReceiverPoints.decode(bytes, 3).map((b) => b.bytes)).toEqual(points.map((b) => b.bytes))

    expect([1, 32, 33].map((count) => extensionColumns.bytes(count))).toEqual([512, 512, 1024])
    expect(extensionColumnBytes(1000)).toBe(16 * 1024)
    // The check's kappa + s = 192 extra OTs, then up to a multiple of 32.
    expect([1, 32, 33, 1000].map(extendedCount)).toEqual([224, 224, 256, 1216])
    expect(extensionChallenge.bytes(undefined)).toBe(16)
    const answer = { x: Uint32Array.of(1, 2, 3, 4), t: Uint32Array.of(5, 6, 7, 0xffffffff) }
    const answerBytes = extensionCheck.encode(answer)
    expect(answerBytes.length).toBe(extensionCheck.bytes(undefined))
    const decodedAnswer = extensionCheck.decode(answerBytes, undefined)
    expect([Array.from(decodedAnswer.x), Array.from(decodedAnswer.t)]).toEqual([[1, 2, 3, 4], [5, 6, 7, 0xffffffff]])

    const corrections = Uint32Array.from({ length: 16 }, (_, i) => i)
    expect(Array.from(oleCorrections.decode(oleCorrections.encode(corrections), 2))).toEqual(Array.from(corrections))
    expect(oleCorrections.bytes(2)).toBe(64)

    const builder = new CircuitBuilder(2, 2)
    const circuit = builder.build([builder.and(0, 2), builder.xor(1, 3), builder.not(0)])
    const message = { garblerLabels: Uint32Array.from({ length: 8 }, (_, i) => i), tables: Uint32Array.from({ length: 8 }, (_, i) => 100 + i), decoding: Uint8Array.of(1, 0, 1) }
    const shape = { circuit, mode: 'to-evaluator' as const }
    const wire = garbledCircuit.encode(message)
    expect(wire.length).toBe(garbledCircuit.bytes(shape))
    const decoded = garbledCircuit.decode(wire, shape)
    expect([Array.from(decoded.garblerLabels), Array.from(decoded.tables), Array.from(decoded.decoding)]).toEqual([
      Array.from(message.garblerLabels),
      Array.from(message.tables),
      [1, 0, 1],
    ])
    expect(garbledCircuit.bytes({ circuit, mode: 'xor-shared' })).toBe(wire.length - 1)
    expect(Array.from(outputBits.decode(outputBits.encode(Uint8Array.of(1, 1, 0, 1, 0, 0, 0, 0, 1)), 9))).toEqual([1, 1, 0, 1, 0, 0, 0, 0, 1])
  })

  it('are refused with their protocol error, a ChannelError with the code in its message', () => {
    const refusals: [() => unknown, new (detail: string) => ChannelError, string][] = [
      [() => baseOtSenderPoint.decode(ristretto255.Point.ZERO.toBytes(), undefined), BaseOtError, 'MALFORMED: A is the identity'],
      [() => baseOtSenderPoint.decode(new Uint8Array(32).fill(0xff), undefined), BaseOtError, 'MALFORMED: A is not a ristretto255 encoding'],
      [() => baseOtReceiverPoints.decode(new Uint8Array(64).fill(0xff), 2), BaseOtError, 'MALFORMED: B is not a ristretto255 encoding'],
      [() => oleCorrections.decode(new Uint8Array(32).fill(0xff), 1), OleError, 'MALFORMED: an OLE correction is not below r'],
      [() => outputBits.decode(Uint8Array.of(0x10), 4), GarbledCircuitError, 'MALFORMED: padding bits of an output message are set'],
    ]
    for (const [decode, type, message] of refusals) {
      let caught: unknown
      try {
        decode()
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(type)
      expect(caught).toBeInstanceOf(ChannelError)
      expect(caught).toBeInstanceOf(MaciAnonError)
      expect(caught).toMatchObject({ name: 'ChannelError', code: 'MALFORMED', message, exposable: true })
    }
  })

  it('a parameter mismatch is a ParametersError', async () => {
    const [s0, s1] = sessionPair({ timeoutMs: 1_000 })
    const results = await Promise.allSettled([agreeParameters(s0, Uint8Array.of(1)), agreeParameters(s1, Uint8Array.of(2))])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason as unknown
      expect(reason).toBeInstanceOf(ParametersError)
      expect(reason).toMatchObject({ name: 'ChannelError', code: 'PARAMETERS', exposable: true })
    }
  })

  it('a channel failure of our own making is not for the peer', async () => {
    const [s0] = sessionPair()
    await s0.channel.close()
    await expect(s0.channel.send(Uint8Array.of(1))).rejects.toMatchObject({ code: 'CLOSED', exposable: false, message: 'CLOSED: send on a closed channel' })
  })
})
