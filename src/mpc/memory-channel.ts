/**
 * Channels between two parties on one machine: `memoryChannelPair` for both parties in one
 * event loop (tests), `EndpointChannel` over a message endpoint such as Node's IPC for parties
 * in separate processes (benchmarks). Both share the receive queue, deadlines and size limits
 * of `QueueChannel`. Each end can keep a transcript of what it sent and received, so tests
 * can assert the exact bytes and the shape of a party's view.
 */
import { type Channel, ChannelError } from './channel.js'
import { ReceiveQueue, type ReceiveOptions } from './receive-queue.js'

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

/** A Channel end that queues what arrives; subclasses say how bytes and the close reach the peer. */
export abstract class QueueChannel implements Channel {
  readonly stats = { bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesReceived: 0 }
  readonly transcript: TranscriptEntry[] = []
  private readonly queue: ReceiveQueue
  private closed = false
  private readonly record: boolean

  constructor(options: MemoryChannelOptions = {}) {
    this.record = options.record ?? false
    this.queue = new ReceiveQueue({ timeoutMs: options.timeoutMs ?? 30_000, maxBytes: options.maxBytes ?? 64 * 1024 * 1024 }, (message) => {
      this.stats.bytesReceived += message.length
      this.stats.messagesReceived++
      if (this.record) this.transcript.push({ direction: 'received', bytes: message })
    })
  }

  async send(message: Uint8Array): Promise<void> {
    if (this.closed) throw new ChannelError('CLOSED', 'send on a closed channel', { exposable: false })
    const copy = Uint8Array.from(message)
    this.stats.bytesSent += copy.length
    this.stats.messagesSent++
    if (this.record) this.transcript.push({ direction: 'sent', bytes: copy })
    this.transmit(copy)
  }

  /** Hands one message to the peer. */
  protected abstract transmit(message: Uint8Array): void
  /** Tells the peer the channel is closed. */
  protected abstract transmitClose(): void

  receive(options?: ReceiveOptions): Promise<Uint8Array> {
    return this.queue.receive(options)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.shut()
    this.transmitClose()
  }

  protected deliver(message: Uint8Array): void {
    this.queue.deliver(message)
  }

  protected shut(): void {
    this.closed = true
    this.queue.finish(new ChannelError('CLOSED', 'the channel is closed'))
  }
}

export class MemoryChannel extends QueueChannel {
  peer!: MemoryChannel

  protected transmit(message: Uint8Array): void {
    this.peer.deliver(message)
  }

  protected transmitClose(): void {
    this.peer.shut()
  }
}

/** Something that carries whole messages to the peer: `null` stands for "closed". */
export interface MessageEndpoint {
  post(message: Uint8Array | null): void
  subscribe(listener: (message: Uint8Array | null) => void): void
}

/** One end of a channel over a MessageEndpoint (for instance a child process's IPC). */
export class EndpointChannel extends QueueChannel {
  constructor(
    private readonly endpoint: MessageEndpoint,
    options: MemoryChannelOptions = {},
  ) {
    super(options)
    endpoint.subscribe((message) => (message === null ? this.shut() : this.deliver(Uint8Array.from(message))))
  }

  protected transmit(message: Uint8Array): void {
    this.endpoint.post(message)
  }

  protected transmitClose(): void {
    this.endpoint.post(null)
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
