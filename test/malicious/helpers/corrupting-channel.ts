/**
 * A party's channel that changes one frame it sends, for the deviating-party harnesses: the
 * first frame tagged `tag` once `armed` says so goes out as `corrupt` leaves it. Every
 * received frame is passed to `onReceive` first, so a harness can note the peer's view.
 */
import type { Channel } from '../../../src/mpc/channel.js'

export interface Corruption {
  tag: number
  corrupt: (frame: Uint8Array) => void
  /** Whether the corruption may happen yet (from a phase on, say); always when unset. */
  armed?: () => boolean
  onReceive?: (frame: Uint8Array) => void
}

export function corruptingChannel(channel: Channel, corruption: Corruption): Channel & { corrupted: boolean } {
  const wrapper = {
    corrupted: false,
    stats: channel.stats,
    close: () => channel.close(),
    receive: async (options?: { timeoutMs?: number; maxBytes?: number }) => {
      const frame = await channel.receive(options)
      corruption.onReceive?.(frame)
      return frame
    },
    send: (message: Uint8Array) => {
      if (wrapper.corrupted || message[0] !== corruption.tag || corruption.armed?.() === false) return channel.send(message)
      wrapper.corrupted = true
      const changed = Uint8Array.from(message)
      corruption.corrupt(changed)
      return channel.send(changed)
    },
  }
  return wrapper
}
