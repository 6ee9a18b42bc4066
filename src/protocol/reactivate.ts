/**
 * /maci-anon/reactivate/2.0.0: the reactivation 2PC, run by reactivation-session.ts over a
 * StreamChannel on this one stream. This module only supplies the transport; the session
 * decides the message sequence and checks its order. The server side's deadlines and
 * per-peer limits are LIMITS.reactivate, applied by the ProtocolServer.
 */
import type { Channel } from '../mpc/channel.js'
import { openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { LIMITS } from './ids.js'
import type { ProtocolService } from './server.js'
import type { StreamChannel } from './stream-channel.js'

/** Runs the operator's side of one session on `channel`; its result stays with the operator. */
export type ReactivationRunner = (channel: Channel) => Promise<unknown>

/**
 * How much later than the operator's deadline the voter gives up on its own: the operator's
 * TIMEOUT abort normally arrives first and says why; this only covers an operator gone silent.
 */
const VOTER_DEADLINE_MARGIN_MS = 10_000

export function reactivateService(run: ReactivationRunner): ProtocolService {
  return {
    name: 'reactivate',
    serve: async (channel) => {
      await run(channel)
    },
  }
}

/**
 * The voter's end of a session; the caller runs runVoterSession on it, then closes it. Open
 * it only once the membership proof is made: the hello that carries it must reach the
 * operator within LIMITS.reactivate.firstMessageDeadlineMs of the stream's opening.
 */
export async function openReactivation(dialer: Dialer, target: Target, options?: OpenOptions): Promise<StreamChannel> {
  const channel = await openChannel(dialer, target, 'reactivate', options)
  channel.expireAfter(LIMITS.reactivate.sessionDeadlineMs + VOTER_DEADLINE_MARGIN_MS)
  return channel
}
