/**
 * Requesting side: open one stream for a protocol and wrap it in a StreamChannel with the
 * protocol's client limits (responses may be larger than requests).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ChannelError } from '../mpc/channel.js'
import { decodeAs } from './codec.js'
import { LIMITS, PROTOCOLS, type ProtocolName } from './ids.js'
import { StreamChannel } from './stream-channel.js'

export type Dialer = Pick<Libp2p, 'dialProtocol'>
export type Target = Multiaddr | PeerId

export interface OpenOptions {
  /** Deadline for connecting and negotiating the protocol. */
  dialTimeoutMs?: number
  signal?: AbortSignal
}

export async function openChannel(
  dialer: Dialer,
  target: Target,
  name: ProtocolName,
  options: OpenOptions = {},
): Promise<StreamChannel> {
  const limits = LIMITS[name]
  const signals = [AbortSignal.timeout(options.dialTimeoutMs ?? 15_000)]
  if (options.signal !== undefined) signals.push(options.signal)
  try {
    const stream = await dialer.dialProtocol(target, PROTOCOLS[name], { signal: AbortSignal.any(signals) })
    return new StreamChannel(stream, {
      timeoutMs: limits.stepTimeoutMs,
      maxBytes: limits.maxResponseBytes,
      maxQueuedBytes: Math.max(limits.maxQueuedBytes, 2 * limits.maxResponseBytes),
    })
  } catch (error) {
    throw new ChannelError('CLOSED', `cannot open ${PROTOCOLS[name]}: ${(error as Error).message}`)
  }
}

/** One request, one response, then close: the shape of signup, message and status. */
export async function exchange<Res>(
  channel: StreamChannel,
  request: Uint8Array,
  response: { schema: { decode(bytes: Uint8Array): Res }; what: string },
): Promise<Res> {
  try {
    await channel.send(request)
    return decodeAs(response.schema, await channel.receive(), response.what)
  } finally {
    await channel.close()
  }
}
