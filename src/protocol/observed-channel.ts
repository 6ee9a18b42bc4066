/**
 * A Channel decorator that reports traffic after each message, for progress displays of
 * long sessions (the 2PC). It sees only sizes and counts, never contents.
 */
import type { Channel } from '../mpc/channel.js'

export type TrafficListener = (stats: Channel['stats']) => void

export class ObservedChannel implements Channel {
  constructor(
    private readonly inner: Channel,
    private readonly listener: TrafficListener,
  ) {}

  get stats(): Channel['stats'] {
    return this.inner.stats
  }

  async send(message: Uint8Array): Promise<void> {
    await this.inner.send(message)
    this.listener(this.inner.stats)
  }

  async receive(options?: { timeoutMs?: number; maxBytes?: number }): Promise<Uint8Array> {
    const message = await this.inner.receive(options)
    this.listener(this.inner.stats)
    return message
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
