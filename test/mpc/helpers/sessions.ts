/**
 * Two parties of one session in one process, over an in-memory channel pair, with a short
 * receive timeout so that a protocol bug fails fast instead of hanging the suite.
 */
import { randomBytes } from 'node:crypto'
import { type MemoryChannel, memoryChannelPair } from '../../../src/mpc/memory-channel.js'
import type { MpcSession } from '../../../src/mpc/session.js'

export interface TestSession extends MpcSession {
  channel: MemoryChannel
}

export function sessionPair(options: { timeoutMs?: number; record?: boolean } = {}): [TestSession, TestSession] {
  const [channel0, channel1] = memoryChannelPair({ timeoutMs: options.timeoutMs ?? 5_000, record: options.record })
  const sessionId = randomBytes(32)
  return [
    { channel: channel0, party: 0, sessionId },
    { channel: channel1, party: 1, sessionId },
  ]
}

/** Bytes and messages each party sent while `run` ran. */
export async function measure<T>(
  sessions: [TestSession, TestSession],
  run: () => Promise<T>,
): Promise<{ result: T; sent: [number, number]; messages: [number, number] }> {
  const before = sessions.map((s) => ({ ...s.channel.stats }))
  const result = await run()
  const after = sessions.map((s) => s.channel.stats)
  return {
    result,
    sent: [after[0].bytesSent - before[0].bytesSent, after[1].bytesSent - before[1].bytesSent],
    messages: [after[0].messagesSent - before[0].messagesSent, after[1].messagesSent - before[1].messagesSent],
  }
}

/** Bytes and frames of one framed message: frames of at most 2^20 bytes, one tag byte each. */
export function framed(payloadBytes: number): { bytes: number; messages: number } {
  const frames = Math.max(1, Math.ceil(payloadBytes / (2 ** 20 - 1)))
  return { bytes: payloadBytes + frames, messages: frames }
}

type Traffic = { bytes: number; messages: number }

/**
 * Traffic of one party in oleMultiply, as OT receiver of `received` products or OT sender of
 * `sent` products (one of them 0) with `bits`-bit receiver factors: batches of at most
 * 2^18 OTs; per batch the receiver sends its IKNP columns (16 bytes per OT, for the batch's
 * OTs and the KOS15 check's 192, padded to a multiple of 32) and its 32-byte answer to the
 * check, the sender its 16-byte challenge and one 32-byte correction per OT.
 */
export function oleTraffic(received: number, sent: number, bits = 254): Traffic {
  const total = { bytes: 0, messages: 0 }
  const perBatch = Math.floor(2 ** 18 / bits)
  const add = (payload: number) => {
    if (payload === 0) return
    total.bytes += framed(payload).bytes
    total.messages += framed(payload).messages
  }
  for (let first = 0; first < Math.max(received, sent); first += perBatch) {
    const receivedOts = Math.max(0, Math.min(perBatch, received - first)) * bits
    const sentOts = Math.max(0, Math.min(perBatch, sent - first)) * bits
    if (receivedOts > 0) {
      add(16 * Math.ceil((receivedOts + 192) / 32) * 32)
      add(32)
    }
    if (sentOts > 0) {
      add(16)
      add(32 * sentOts)
    }
  }
  return total
}
