/**
 * Arithmetic sharing over F_r: OLE (Gilboa), Beaver triples and square pairs, opening,
 * Beaver multiplication and squaring, and the XOR-to-additive bit conversion. Both parties
 * run concurrently over an in-memory channel; outputs are recombined and checked, and each
 * protocol's exact traffic is asserted. One session serves the file, so the base OTs run once.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { FieldEncodingError, Fr, randomFieldElements } from '../../src/crypto/field.js'
import {
  beaverMultiply,
  beaverSquare,
  decodeFieldElements,
  encodeFieldElements,
  open,
  takeSquarePairs,
  takeTriples,
} from '../../src/mpc/arithmetic.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { xorBitToAdditive, xorBitsToAdditive } from '../../src/mpc/convert.js'
import { oleMultiply } from '../../src/mpc/ole.js'
import { generateSquarePairs, generateTriples, type TripleShares } from '../../src/mpc/triples.js'
import { type TestSession, framed, measure, oleTraffic, sessionPair } from './helpers/sessions.js'

let sessions: [TestSession, TestSession]

beforeAll(async () => {
  sessions = sessionPair({ timeoutMs: 20_000 })
  await Promise.all([oleMultiply(sessions[0], [1n]), oleMultiply(sessions[1], [1n])])
})

function share(values: bigint[]): [bigint[], bigint[]] {
  const mask = randomFieldElements(values.length)
  return [mask, values.map((v, i) => Fr.sub(v, mask[i]))]
}

const recombine = (a: bigint[], b: bigint[]) => a.map((x, i) => Fr.add(x, b[i]))

describe('field encoding', () => {
  it('round-trips 32-byte little-endian words and refuses non-canonical ones', () => {
    const values = [0n, 1n, Fr.ORDER - 1n, ...randomFieldElements(20)]
    const bytes = encodeFieldElements(values)
    expect(bytes.length).toBe(32 * values.length)
    expect(bytes[32]).toBe(1)
    expect(decodeFieldElements(bytes, values.length)).toEqual(values)
    expect(() => encodeFieldElements([Fr.ORDER])).toThrow(FieldEncodingError)
    const bad = encodeFieldElements([Fr.ORDER - 1n])
    bad[0] += 1
    expect(() => decodeFieldElements(bad, 1)).toThrow(ChannelError)
    expect(() => decodeFieldElements(bad, 1)).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => decodeFieldElements(bytes, values.length + 1)).toThrow(expect.objectContaining({ code: 'UNEXPECTED' }))
  })
})

describe('OLE (Gilboa OT multiplication)', () => {
  it('gives additive shares of x * y for full-width and short receiver factors', async () => {
    const x = [0n, 1n, Fr.ORDER - 1n, ...randomFieldElements(97)]
    const y = [Fr.ORDER - 1n, 0n, Fr.ORDER - 1n, ...randomFieldElements(97)]
    const { result, sent, messages } = await measure(sessions, () =>
      Promise.all([oleMultiply(sessions[0], x), oleMultiply(sessions[1], y)]),
    )
    expect(recombine(...result)).toEqual(x.map((xi, i) => Fr.mul(xi, y[i])))
    expect(sent).toEqual([oleTraffic(0, 100).bytes, oleTraffic(100, 0).bytes])
    expect(messages).toEqual([oleTraffic(0, 100).messages, oleTraffic(100, 0).messages])

    const small = [0n, 1n, 65535n, 12345n]
    const wide = randomFieldElements(4)
    const [s0, s1] = await Promise.all([oleMultiply(sessions[0], wide, { receiverBits: 16 }), oleMultiply(sessions[1], small, { receiverBits: 16 })])
    expect(recombine(s0, s1)).toEqual(wide.map((w, i) => Fr.mul(w, small[i])))
    await expect(oleMultiply(sessions[1], [65536n], { receiverBits: 16 })).rejects.toThrow(RangeError)
  })

  it('runs with party 1 as OT sender', async () => {
    const x = randomFieldElements(10)
    const y = randomFieldElements(10)
    const result = await Promise.all([oleMultiply(sessions[0], x, { otSender: 1 }), oleMultiply(sessions[1], y, { otSender: 1 })])
    expect(recombine(...result)).toEqual(x.map((xi, i) => Fr.mul(xi, y[i])))
  })
})

describe('Beaver triples', () => {
  it('makes 10,000 triples with a * b = c at 24,391 bytes each', async () => {
    const count = 10_000
    const { result, sent, messages } = await measure(sessions, () =>
      Promise.all([generateTriples(sessions[0], count, { otSender: 0 }), generateTriples(sessions[1], count, { otSender: 0 })]),
    )
    const [t0, t1] = result
    const a = recombine(t0.a, t1.a)
    const b = recombine(t0.b, t1.b)
    const c = recombine(t0.c, t1.c)
    for (let k = 0; k < count; k++) expect(c[k]).toBe(Fr.mul(a[k], b[k]))
    expect(new Set(a).size).toBe(count)
    // Party 0 sends all corrections, party 1 all IKNP columns, for 2 x count OLEs.
    const traffic = [oleTraffic(0, 2 * count), oleTraffic(2 * count, 0)]
    expect(sent).toEqual([traffic[0].bytes, traffic[1].bytes])
    expect(messages).toEqual([traffic[0].messages, traffic[1].messages])
    // 2 x 254 OTs per triple: 16 + 32 bytes each, plus frame tags and OT padding, and per
    // batch of 1,032 products the KOS15 check: 192 OTs, a challenge and an answer (6 bytes a triple).
    expect(Math.round((sent[0] + sent[1]) / count)).toBe(24_391)
  })

  it('makes square pairs with a^2 = square at 12,192 bytes each', async () => {
    const count = 300
    const { result, sent } = await measure(sessions, () =>
      Promise.all([generateSquarePairs(sessions[0], count, { otSender: 0 }), generateSquarePairs(sessions[1], count, { otSender: 0 })]),
    )
    const a = recombine(result[0].a, result[1].a)
    const square = recombine(result[0].square, result[1].square)
    a.forEach((ai, k) => expect(square[k]).toBe(Fr.mul(ai, ai)))
    expect(sent).toEqual([oleTraffic(0, count).bytes, oleTraffic(count, 0).bytes])
  })
})

describe('one-direction preprocessing (otSender)', () => {
  it('makes triples and square pairs with every OT sent by one party', async () => {
    const count = 200
    const options = { otSender: 0 } as const
    const { result, sent } = await measure(sessions, () =>
      Promise.all([generateTriples(sessions[0], count, options), generateTriples(sessions[1], count, options)]),
    )
    const [t0, t1] = result
    const a = recombine(t0.a, t1.a)
    const b = recombine(t0.b, t1.b)
    recombine(t0.c, t1.c).forEach((c, k) => expect(c).toBe(Fr.mul(a[k], b[k])))
    // Party 0 sends all corrections, party 1 all IKNP columns: the same OLEs as oleMultiply of 2 x count values.
    expect(sent).toEqual([oleTraffic(0, 2 * count).bytes, oleTraffic(2 * count, 0).bytes])

    const squares = await Promise.all([generateSquarePairs(sessions[0], count, options), generateSquarePairs(sessions[1], count, options)])
    const x = recombine(squares[0].a, squares[1].a)
    recombine(squares[0].square, squares[1].square).forEach((square, k) => expect(square).toBe(Fr.mul(x[k], x[k])))
  })
})

describe('opening and Beaver multiplication', () => {
  let triples: [TripleShares, TripleShares]

  beforeAll(async () => {
    triples = await Promise.all([generateTriples(sessions[0], 600, { otSender: 0 }), generateTriples(sessions[1], 600, { otSender: 0 })])
  })

  it('opens a vector in one message each way', async () => {
    const values = randomFieldElements(50)
    const [x0, x1] = share(values)
    const { result, sent, messages } = await measure(sessions, () => Promise.all([open(sessions[0], x0), open(sessions[1], x1)]))
    expect(result).toEqual([values, values])
    expect(sent).toEqual([framed(32 * 50).bytes, framed(32 * 50).bytes])
    expect(messages).toEqual([1, 1])
  })

  it('multiplies shared vectors in one round trip, consuming triples', async () => {
    const n = 500
    const x = [0n, 1n, Fr.ORDER - 1n, ...randomFieldElements(n - 3)]
    const y = [Fr.ORDER - 1n, Fr.ORDER - 1n, Fr.ORDER - 1n, ...randomFieldElements(n - 3)]
    const [x0, x1] = share(x)
    const [y0, y1] = share(y)
    const used = [takeTriples(triples[0], n), takeTriples(triples[1], n)]
    expect(triples[0].a.length).toBe(100)
    const { result, sent, messages } = await measure(sessions, () =>
      Promise.all([beaverMultiply(sessions[0], x0, y0, used[0]), beaverMultiply(sessions[1], x1, y1, used[1])]),
    )
    expect(recombine(...result)).toEqual(x.map((xi, i) => Fr.mul(xi, y[i])))
    expect(sent).toEqual([framed(64 * n).bytes, framed(64 * n).bytes])
    expect(messages).toEqual([1, 1])
    await expect(beaverMultiply(sessions[0], x0, y0, takeTriples(triples[0], 10))).rejects.toThrow(RangeError)
    expect(() => takeTriples(triples[0], 1000)).toThrow(RangeError)
  })

  it('squares with square pairs, opening one value per square', async () => {
    const n = 40
    const pairs = await Promise.all([generateSquarePairs(sessions[0], n, { otSender: 0 }), generateSquarePairs(sessions[1], n, { otSender: 0 })])
    const x = randomFieldElements(n)
    const [x0, x1] = share(x)
    const { result, sent } = await measure(sessions, () =>
      Promise.all([
        beaverSquare(sessions[0], x0, takeSquarePairs(pairs[0], n)),
        beaverSquare(sessions[1], x1, takeSquarePairs(pairs[1], n)),
      ]),
    )
    expect(recombine(...result)).toEqual(x.map((xi) => Fr.mul(xi, xi)))
    expect(sent).toEqual([framed(32 * n).bytes, framed(32 * n).bytes])
  })
})

describe('XOR-shared bits to additive shares', () => {
  it('converts every combination and random vectors, one OT and one correction per bit', async () => {
    const bits0 = [0, 0, 1, 1, ...Array.from({ length: 60 }, (_, i) => (i * 7) & 1)]
    const bits1 = [0, 1, 0, 1, ...Array.from({ length: 60 }, (_, i) => (i * 5 + (i >> 2)) & 1)]
    const { result, sent } = await measure(sessions, () =>
      Promise.all([xorBitsToAdditive(sessions[0], bits0), xorBitsToAdditive(sessions[1], bits1)]),
    )
    expect(recombine(...result)).toEqual(bits0.map((b, i) => BigInt(b ^ bits1[i])))
    expect(sent).toEqual([oleTraffic(0, 64, 1).bytes, oleTraffic(64, 0, 1).bytes])
    for (const [b0, b1] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      const [s0, s1] = await Promise.all([xorBitToAdditive(sessions[0], b0), xorBitToAdditive(sessions[1], b1)])
      expect(Fr.add(s0, s1)).toBe(BigInt(b0 ^ b1))
    }
  })
})
