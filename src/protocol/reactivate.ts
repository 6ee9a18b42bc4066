/**
 * /maci-anon/reactivate/2.0.0: the reactivation 2PC, run by src/core/reactivation/ over a
 * StreamChannel on this one stream. This module only supplies the transport; the session
 * decides the message sequence and checks its order. The server side's deadlines and
 * per-peer limits are LIMITS.reactivate, applied by the ProtocolServer.
 *
 * The session modules are loaded on first use: they pull in the MPC engine and the circuit
 * artifacts, which no other protocol needs, so a node starts without them.
 */
import type { Channel } from '../mpc/channel.js'
import { ReactivationSessionError } from '../core/reactivation/errors.js'
import type { ReactivationSessionOptions } from '../core/reactivation/options.js'
import type { PreparedReactivation, VoterReactivationInput } from '../core/reactivation/voter-session.js'
import { openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { retryAfterOf, type RemoteAbortError } from './errors.js'
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

/**
 * Voter side for a reactivation prepared beforehand (prepareVoterReactivation in
 * src/core/reactivation/voter-session.ts), on a channel already open. Resolves with the
 * fixed acknowledgement whether or not the key gets activated; rejects when the session
 * breaks, the operator is busy (BUSY, with when to retry: the server's UNAVAILABLE abort
 * read back) or it refuses an unusable membership proof at hello.
 */
export async function runVoterSession(
  channel: Channel,
  prepared: PreparedReactivation,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  const { voterSession } = await import('../core/reactivation/voter-session.js')
  try {
    return await voterSession(channel, prepared, options)
  } catch (error) {
    const retryAfterSeconds = retryAfterOf(error)
    if (retryAfterSeconds === undefined) throw error
    throw new ReactivationSessionError('BUSY', (error as RemoteAbortError).reason, retryAfterSeconds)
  }
}

/**
 * Voter side on a channel already open: proves membership, then runs the session. Over the
 * network, prefer prepareVoterReactivation, then open the stream once the proof is made,
 * then runVoterSession.
 */
export async function requestReactivation(
  channel: Channel,
  input: VoterReactivationInput,
  options: ReactivationSessionOptions = {},
): Promise<{ acknowledgement: string }> {
  const { prepareVoterReactivation } = await import('../core/reactivation/voter-session.js')
  return runVoterSession(channel, prepareVoterReactivation(input), options)
}
