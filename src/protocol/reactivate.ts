/**
 * /maci-anon/reactivate/1.0.0: the reactivation 2PC, run by reactivation-session.ts over a
 * StreamChannel on this one stream. This module only supplies the transport; the session
 * decides the message sequence and checks its order.
 */
import type { Channel } from '../mpc/channel.js'
import { openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import type { ProtocolService } from './server.js'
import type { StreamChannel } from './stream-channel.js'

/** Runs the operator's side of one session on `channel`; its result stays with the operator. */
export type ReactivationRunner = (channel: Channel) => Promise<unknown>

export function reactivateService(run: ReactivationRunner): ProtocolService {
  return {
    name: 'reactivate',
    serve: async (channel) => {
      await run(channel)
    },
  }
}

/** The voter's end of a session; the caller runs requestReactivation on it, then closes it. */
export function openReactivation(dialer: Dialer, target: Target, options?: OpenOptions): Promise<StreamChannel> {
  return openChannel(dialer, target, 'reactivate', options)
}
