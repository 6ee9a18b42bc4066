/**
 * The frame format (src/protocol/framing.ts): uvarint(1 + payload length) || kind || payload,
 * checked against an unsigned LEB128 written out here, and decoded whatever the chunking,
 * the length prefix split across chunks included.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeFrame, FrameDecoder, type FrameKind } from '../../src/protocol/framing.js'

/** Unsigned LEB128, seven bits a byte, low group first. */
function leb128(value: number): number[] {
  const bytes: number[] = []
  let rest = value
  do {
    const low = rest % 128
    rest = Math.floor(rest / 128)
    bytes.push(rest > 0 ? low | 0x80 : low)
  } while (rest > 0)
  return bytes
}

describe('frames', () => {
  it('encode as uvarint(1 + length) || kind || payload, for lengths across every prefix size', () => {
    for (const length of [0, 1, 126, 127, 128, 16_382, 16_383, 16_384, 70_000, randomInt(1, 200_000)]) {
      const payload = randomBytes(length)
      for (const [kind, byte] of [['data', 0], ['abort', 1]] as Array<[FrameKind, number]>) {
        expect([...encodeFrame(kind, payload)]).toEqual([...leb128(length + 1), byte, ...payload])
      }
    }
  })

  it('decode the same frames however the bytes are cut, one byte at a time included', () => {
    const sent = [randomBytes(0), randomBytes(200), randomBytes(20_000), randomBytes(3)]
    const wire = Buffer.concat(sent.map((payload, i) => encodeFrame(i % 2 === 0 ? 'data' : 'abort', payload)))
    for (const step of [1, 2, 7, 1000, wire.length]) {
      const decoder = new FrameDecoder(() => 1 << 20)
      const frames = []
      for (let at = 0; at < wire.length; at += step) frames.push(...decoder.push(wire.subarray(at, at + step)))
      expect(frames.map((frame) => frame.kind)).toEqual(['data', 'abort', 'data', 'abort'])
      expect(frames.map((frame) => Buffer.from(frame.payload))).toEqual(sent)
      expect(decoder.pendingBytes).toBe(0)
    }
  })

  it('refuses from the header alone: an empty body, a prefix over five bytes, a frame over the limit', () => {
    expect(() => new FrameDecoder(() => 100).push(Uint8Array.of(0))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => new FrameDecoder(() => 100).push(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => new FrameDecoder(() => 100).push(Uint8Array.from(leb128(102)))).toThrow(expect.objectContaining({ code: 'OVERSIZED' }))
    // Exactly at the limit, the header is accepted and the body awaited.
    const atLimit = new FrameDecoder(() => 100)
    expect(atLimit.push(Uint8Array.from(leb128(101)))).toEqual([])
    expect(atLimit.pendingBytes).toBe(1)
  })
})
