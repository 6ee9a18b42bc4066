/**
 * Two in-process ends of a Channel, for running both parties of a protocol in one test or
 * benchmark. Each end can keep a transcript of what it sent and received, so tests can
 * assert the exact bytes and the shape of a party's view.
 */
import { type Channel, ChannelError } from './channel.js'

export interface MemoryChannelOptions {
  /** Default receive deadline in milliseconds. */
  timeoutMs?: number
  /** Default largest message accepted by receive(). */
  maxBytes?: number
  /** Keep every message sent and received (copies) on `transcript`. */
  record?: boolean
}

export interface TranscriptEntry {
  direction: 'sent' | 'received'
  bytes: Uint8Array
}

interface Waiter {
  resolve: (message: Uint8Array) => void
  reject: (error: ChannelError) => void
}

export class MemoryChannel implements Channel {
  readonly stats = { bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesReceived: 0 }
  readonly transcript: TranscriptEntry[] = []
  peer!: MemoryChannel
  private readonly inbox: Uint8Array[] = []
  private waiter: Waiter | undefined
  private closed = false
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly record: boolean

  constructor(options: MemoryChannelOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.record = options.record ?? false
  }

  async send(message: Uint8Array): Promise<void> {
    if (this.closed) throw new ChannelError('CLOSED', 'send on a closed channel')
    const copy = Uint8Array.from(message)
    this.stats.bytesSent += copy.length
    this.stats.messagesSent++
    if (this.record) this.transcript.push({ direction: 'sent', bytes: copy })
    this.peer.deliver(copy)
  }

  receive(options: { timeoutMs?: number; maxBytes?: number } = {}): Promise<Uint8Array> {
    const maxBytes = options.maxBytes ?? this.maxBytes
    const next = this.inbox.shift()
    if (next !== undefined) return Promise.resolve(this.accept(next, maxBytes))
    if (this.closed) return Promise.reject(new ChannelError('CLOSED', 'the channel is closed'))
    if (this.waiter !== undefined) {
      return Promise.reject(new ChannelError('UNEXPECTED', 'two receives at once on one channel'))
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(new ChannelError('TIMEOUT', `no message within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiter = {
        resolve: (message) => {
          clearTimeout(timer)
          try {
            resolve(this.accept(message, maxBytes))
          } catch (error) {
            reject(error as ChannelError)
          }
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.shut()
    this.peer.shut()
  }

  private accept(message: Uint8Array, maxBytes: number): Uint8Array {
    if (message.length > maxBytes) {
      throw new ChannelError('OVERSIZED', `message of ${message.length} bytes exceeds ${maxBytes}`)
    }
    this.stats.bytesReceived += message.length
    this.stats.messagesReceived++
    if (this.record) this.transcript.push({ direction: 'received', bytes: message })
    return message
  }

  private deliver(message: Uint8Array): void {
    if (this.closed) return
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter.resolve(message)
    } else {
      this.inbox.push(message)
    }
  }

  private shut(): void {
    this.closed = true
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(new ChannelError('CLOSED', 'the peer closed the channel'))
  }
}

/** Two connected ends: what one sends, the other receives, in order. */
export function memoryChannelPair(options: MemoryChannelOptions = {}): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel(options)
  const b = new MemoryChannel(options)
  a.peer = b
  b.peer = a
  return [a, b]
}
