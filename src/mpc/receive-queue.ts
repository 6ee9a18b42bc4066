/**
 * The receiving half that every Channel shares: messages queue in arrival order; a receive
 * takes the next one or waits for it, with a deadline and a size limit; one receive at a
 * time. Once the channel ends, the queued messages stay readable and every receive after
 * them fails with the error that ended it (the first cause wins).
 */
import { ChannelError } from './channel.js'

export interface ReceiveOptions {
  timeoutMs?: number
  maxBytes?: number
}

interface Waiter {
  maxBytes: number
  resolve: (message: Uint8Array) => void
  reject: (error: ChannelError) => void
}

export class ReceiveQueue {
  private readonly inbox: Uint8Array[] = []
  private queued = 0
  private waiter: Waiter | undefined
  private end: ChannelError | undefined

  constructor(
    private readonly defaults: { timeoutMs: number; maxBytes: number },
    /** Called for each message handed to a receive (statistics, transcripts). */
    private readonly onAccept: (message: Uint8Array) => void,
  ) {}

  /** Bytes delivered but not yet received. */
  get queuedBytes(): number {
    return this.queued
  }

  /** The size limit of the receive waiting now, if one is. */
  get waitingMaxBytes(): number | undefined {
    return this.waiter?.maxBytes
  }

  get ended(): boolean {
    return this.end !== undefined
  }

  receive(options: ReceiveOptions = {}): Promise<Uint8Array> {
    const maxBytes = options.maxBytes ?? this.defaults.maxBytes
    const next = this.inbox.shift()
    if (next !== undefined) {
      this.queued -= next.length
      try {
        return Promise.resolve(this.accept(next, maxBytes))
      } catch (error) {
        return Promise.reject(error as ChannelError)
      }
    }
    if (this.end !== undefined) return Promise.reject(this.end)
    if (this.waiter !== undefined) return Promise.reject(new ChannelError('UNEXPECTED', 'two receives at once on one channel', { exposable: false }))
    const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(new ChannelError('TIMEOUT', `no message within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiter = {
        maxBytes,
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

  /** A message from the peer; dropped once the channel has ended. */
  deliver(message: Uint8Array): void {
    if (this.end !== undefined) return
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter.resolve(message)
      return
    }
    this.inbox.push(message)
    this.queued += message.length
  }

  /** Nothing more will arrive: a waiting receive, and every receive after the queue drains, fail with `error`. */
  finish(error: ChannelError): void {
    if (this.end !== undefined) return
    this.end = error
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(error)
  }

  private accept(message: Uint8Array, maxBytes: number): Uint8Array {
    if (message.length > maxBytes) throw new ChannelError('OVERSIZED', `message of ${message.length} bytes exceeds ${maxBytes}`)
    this.onAccept(message)
    return message
  }
}
