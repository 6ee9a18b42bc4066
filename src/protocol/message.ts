/**
 * /maci-anon/message/1.1.0: deactivations and votes, encrypted to the operator. A stream
 * carries any number of requests, one after another, each answered before the next is read,
 * until the client closes its side or the session deadline passes (src/protocol/ids.ts).
 * Version 1.0.0 took one request per stream; its clients are 1.1.0 clients that stop after
 * one, but a 1.1.0 client would lose its second request to a 1.0.0 server, hence the version.
 *
 * Why several per stream: opening a libp2p stream (yamux frames, multistream-select's round
 * trip, the peer store's bookkeeping, the close handshake) costs more CPU on both ends than
 * the operator's whole work on a deactivation (README, "Operator under load"). A stream
 * carries nothing a connection does not already carry: every request on it comes from the
 * one peer ID on the one connection, and the voter's identities are one per command
 * (src/daemon/voter-client.ts).
 *
 * The server cannot tell a valid message from an invalid one before the core has processed
 * it, and the core answers both alike, so the reply (and its timing) carries no validity
 * signal. A refused message (MessageRefused) ends the stream with its typed abort.
 */
import { MESSAGE_CIPHERTEXT_BYTES } from '../core/messages.js'
import { type DeactivationReceipt } from '../core/operator-state.js'
import { exchange, openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { decodeAs, fieldFromBytes, fieldToWire } from './codec.js'
import { ProtocolError } from './errors.js'
import { MessageKind, MessageRequest, MessageResponse } from './generated/schema.js'
import { LIMITS } from './ids.js'
import { nextRequest, type ProtocolService } from './server.js'
import type { StreamChannel } from './stream-channel.js'

export interface MessageBackend {
  submitDeactivation(ciphertext: Uint8Array): Promise<DeactivationReceipt>
  submitVote(ciphertext: Uint8Array): Promise<{ index: number }>
}

export function messageService(backend: MessageBackend): ProtocolService {
  return {
    name: 'message',
    async serve(channel) {
      for (let bytes = await nextRequest(channel); bytes !== undefined; bytes = await nextRequest(channel)) {
        await channel.send(await answer(backend, decodeAs(MessageRequest, bytes, 'message request')))
      }
    },
  }
}

async function answer(backend: MessageBackend, request: MessageRequest): Promise<Uint8Array> {
  // Every message has one length (DESIGN 2.5): anything else is refused before the core sees it.
  if (request.ciphertext.length !== MESSAGE_CIPHERTEXT_BYTES) {
    throw new ProtocolError('MALFORMED', `a message ciphertext is ${MESSAGE_CIPHERTEXT_BYTES} bytes, got ${request.ciphertext.length}`)
  }
  switch (request.kind) {
    case MessageKind.DEACTIVATE: {
      const receipt = await backend.submitDeactivation(request.ciphertext)
      return MessageResponse.encode({ index: receipt.index, leaf: fieldToWire(receipt.leaf), root: fieldToWire(receipt.root) })
    }
    case MessageKind.VOTE: {
      const { index } = await backend.submitVote(request.ciphertext)
      return MessageResponse.encode({ index })
    }
    default:
      throw new ProtocolError('MALFORMED', 'unknown message kind')
  }
}

/** One deactivation on a stream of its own. */
export async function submitDeactivation(
  dialer: Dialer,
  target: Target,
  ciphertext: Uint8Array,
  options?: OpenOptions,
): Promise<DeactivationReceipt> {
  const channel = await openChannel(dialer, target, 'message', options)
  return receiptOf(await exchange(channel, requestOf(MessageKind.DEACTIVATE, ciphertext), RESPONSE))
}

/** One vote on a stream of its own. */
export async function submitVote(
  dialer: Dialer,
  target: Target,
  ciphertext: Uint8Array,
  options?: OpenOptions,
): Promise<{ index: number }> {
  const channel = await openChannel(dialer, target, 'message', options)
  const response = await exchange(channel, requestOf(MessageKind.VOTE, ciphertext), RESPONSE)
  return { index: response.index }
}

/**
 * A client's messages, one after another over one stream. The stream is opened when first
 * needed and taken again only while a request on it is sure to be answered before the
 * server's session deadline (the deadline less the client's step timeout); past that, or
 * after any failure, the next message opens a fresh one. Left idle for IDLE_CLOSE_MS, it is
 * closed, so that a client with nothing to send holds none of the operator's slots.
 *
 * A failed message is not sent again: the error reaches the caller, as with a stream of its
 * own. (Sending a deactivation again is safe, the operator answers a logged ciphertext with
 * its receipt; sending a vote again would log it twice.) A stream that ended while idle is
 * replaced before a message is sent on it.
 */
export class MessageStream {
  private channel: StreamChannel | undefined
  private openedAt = 0
  private tail: Promise<unknown> = Promise.resolve()
  private idleTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly dialer: Dialer,
    private readonly target: Target,
    private readonly options: OpenOptions = {},
  ) {}

  async deactivate(ciphertext: Uint8Array): Promise<DeactivationReceipt> {
    return receiptOf(await this.request(requestOf(MessageKind.DEACTIVATE, ciphertext)))
  }

  async vote(ciphertext: Uint8Array): Promise<{ index: number }> {
    const response = await this.request(requestOf(MessageKind.VOTE, ciphertext))
    return { index: response.index }
  }

  /** Closes the stream once the messages already asked for are answered. */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined)
    await this.retire()
  }

  private request(request: Uint8Array): Promise<MessageResponse> {
    clearTimeout(this.idleTimer)
    const run = this.tail.then(
      () => this.exchange(request),
      () => this.exchange(request),
    )
    const settled: Promise<unknown> = run.catch(() => undefined).finally(() => {
      // Still the tail: no message was asked for meanwhile, so the stream is idle from now.
      if (this.tail === settled) this.idleTimer = setTimeout(() => void this.retire(), IDLE_CLOSE_MS).unref()
    })
    this.tail = settled
    return run
  }

  private async exchange(request: Uint8Array): Promise<MessageResponse> {
    // A stream past its window, or one that ended while idle (the operator restarted, the
    // connection dropped), takes no request: it goes, and nothing was sent on it.
    if (this.channel !== undefined && (performance.now() - this.openedAt > reuseWindowMs() || !this.channel.writable)) await this.retire()
    if (this.channel === undefined) {
      this.openedAt = performance.now()
      this.channel = await openChannel(this.dialer, this.target, 'message', this.options)
    }
    const channel = this.channel
    try {
      await channel.send(request)
      return decodeAs(MessageResponse, await channel.receive(), 'message response')
    } catch (error) {
      if (this.channel === channel) await this.retire()
      throw error
    }
  }

  private async retire(): Promise<void> {
    clearTimeout(this.idleTimer)
    const channel = this.channel
    this.channel = undefined
    await channel?.close()
  }
}

/** How long a MessageStream leaves an unused stream open. */
export const IDLE_CLOSE_MS = 1_000
/** How long after its opening a stream still takes a request that the server will answer (read at each request, as the server reads LIMITS at each session). */
function reuseWindowMs(): number {
  return LIMITS.message.sessionDeadlineMs - LIMITS.message.stepTimeoutMs
}

const RESPONSE = { schema: MessageResponse, what: 'message response' }

function requestOf(kind: MessageKind, ciphertext: Uint8Array): Uint8Array {
  return MessageRequest.encode({ kind, ciphertext: Uint8Array.from(ciphertext) })
}

function receiptOf(response: MessageResponse): DeactivationReceipt {
  return {
    index: response.index,
    leaf: fieldFromBytes(response.leaf, 'receipt leaf'),
    root: fieldFromBytes(response.root, 'receipt root'),
  }
}
