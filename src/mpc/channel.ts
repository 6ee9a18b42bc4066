/**
 * The one transport every MPC protocol in src/mpc is written against, in the style of
 * emp-toolkit's IOChannel: ordered, reliable delivery of whole byte messages between two
 * parties. In tests both ends live in one process (`memoryChannelPair`); on the network a
 * libp2p stream adapter implements the same interface (src/protocol).
 */
import { MaciAnonError } from '../errors.js'

/** Why a channel operation failed. Every failure a peer can cause maps to one code. */
export type ChannelErrorCode =
  | 'TIMEOUT' // no message arrived within the receive deadline
  | 'CLOSED' // the peer (or we) closed the channel
  | 'ABORTED' // the peer signalled an abort
  | 'OVERSIZED' // a message exceeded the channel's maximum size
  | 'MALFORMED' // bytes that do not parse as the expected message
  | 'UNEXPECTED' // a message of the wrong length, step or kind
  | 'PARAMETERS' // the parties disagree on session parameters

/**
 * A failure of the channel or of a protocol message on it. Every code names something the
 * peer (or the network between) did, and the detail describes only bytes on the wire, so
 * it may be shown to the peer; the few failures that are this side's own doing (sending
 * after close, two receives at once) say so with `exposable: false`. Protocols in src/mpc
 * refine it (BaseOtError, OleError, ... in errors.ts) and stay ChannelErrors to callers,
 * with this name, their code and the message `CODE: detail`.
 */
export class ChannelError extends MaciAnonError {
  declare readonly code: ChannelErrorCode

  constructor(code: ChannelErrorCode, detail: string, options: { exposable?: boolean } = {}) {
    super(code, detail, { codeInMessage: true, exposable: options.exposable ?? true })
    // One name for the whole family: the subclasses only say which protocol failed.
    this.name = 'ChannelError'
  }
}

export interface Channel {
  /** Queue one message for the peer. Throws ChannelError('CLOSED') after close. */
  send(message: Uint8Array): Promise<void>
  /**
   * The next message from the peer. Rejects with ChannelError: TIMEOUT after `timeoutMs`
   * (default: the channel's own), CLOSED when the peer closed, OVERSIZED past `maxBytes`.
   */
  receive(options?: { timeoutMs?: number; maxBytes?: number }): Promise<Uint8Array>
  /** Close both directions; a pending receive on the peer rejects with CLOSED. */
  close(): Promise<void>
  /** Bytes sent and received so far, for benchmarks and transcript-shape tests. */
  readonly stats: { bytesSent: number; bytesReceived: number; messagesSent: number; messagesReceived: number }
}
