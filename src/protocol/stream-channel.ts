/**
 * A Channel over ONE libp2p stream, so the MPC code written against src/mpc/channel.ts runs
 * over the network unchanged, and the request/response protocols share its framing,
 * limits and error mapping.
 *
 * Frames are length-prefixed (framing.ts). Every receive has a deadline and a size limit;
 * an oversized header is refused before its body is buffered. A reset, a clean close by the
 * peer, or our own close all surface as ChannelError('CLOSED'); an abort frame from the peer
 * as RemoteAbortError (a ChannelError('ABORTED')) carrying the peer's typed reason.
 *
 * Receive deadlines run from the receive call to the last byte of the message, so a peer
 * that trickles a frame byte by byte gains nothing. A session may also have absolute
 * deadlines counted from the stream's opening (the whole session, and its first message):
 * no activity moves them, and when one passes the session ends with a TIMEOUT abort.
 */
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { type Channel, ChannelError } from '../mpc/channel.js'
import { ReceiveQueue, type ReceiveOptions } from '../mpc/receive-queue.js'
import { ErrorCode, ErrorReply } from './generated/schema.js'
import { FrameDecoder, encodeFrame, type Frame } from './framing.js'
import { PROTOCOL_ERROR_CODES, type ProtocolErrorCode, RemoteAbortError } from './errors.js'

export interface StreamChannelOptions {
  /** Default receive deadline, and the deadline for a full send buffer to drain. */
  timeoutMs?: number
  /** Default largest message accepted by receive(). */
  maxBytes?: number
  /** Largest total of received but unread bytes; a peer far ahead of the protocol is cut off. */
  maxQueuedBytes?: number
  /** After our close, how long the peer has to close its side before the stream is reset. */
  lingerMs?: number
  /** Absolute deadline for the whole session, from the channel's creation (the stream's opening). */
  sessionDeadlineMs?: number
  /** Absolute deadline for the first whole message to arrive, from the channel's creation. */
  firstMessageDeadlineMs?: number
}

const DEFAULTS = { timeoutMs: 30_000, maxBytes: 1024 * 1024, lingerMs: 5_000 }
/** An abort reason is a short sentence; anything longer is cut, never buffered whole. */
const MAX_REASON_CHARS = 200
/**
 * Every frame up to this size passes the header check, whatever the message limit, so that
 * an abort (a code and at most MAX_REASON_CHARS of UTF-8) is read even where messages are
 * tiny: a signup reply is at most 64 bytes, and "busy, retry in N s" is longer. A data frame
 * past the message limit is still refused, when received.
 */
const MAX_ABORT_FRAME_BYTES = 1024

export class StreamChannel implements Channel {
  readonly stats = { bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesReceived: 0 }
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly maxQueuedBytes: number
  private readonly lingerMs: number
  private readonly decoder: FrameDecoder
  private readonly queue: ReceiveQueue
  private closing = false
  private abortSent = false
  /** Set once a deadline has passed: every later send fails with it too. */
  private expired: ChannelError | undefined
  private readonly deadlines = new Set<NodeJS.Timeout>()
  private firstMessageTimer: NodeJS.Timeout | undefined

  constructor(
    readonly stream: Stream,
    options: StreamChannelOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes
    this.maxQueuedBytes = options.maxQueuedBytes ?? 2 * this.maxBytes + 64 * 1024
    this.lingerMs = options.lingerMs ?? DEFAULTS.lingerMs
    this.queue = new ReceiveQueue({ timeoutMs: this.timeoutMs, maxBytes: this.maxBytes }, (message) => {
      this.stats.bytesReceived += message.length
      this.stats.messagesReceived++
    })
    // A receive may widen the limit for one message; the header check honours the wider one.
    this.decoder = new FrameDecoder(() => Math.max(this.maxBytes, this.queue.waitingMaxBytes ?? 0, MAX_ABORT_FRAME_BYTES))
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    stream.addEventListener('close', this.onClose)
    if (options.sessionDeadlineMs !== undefined) this.expireAfter(options.sessionDeadlineMs, 'session')
    if (options.firstMessageDeadlineMs !== undefined) this.firstMessageTimer = this.expireAfter(options.firstMessageDeadlineMs, 'first message')
  }

  /**
   * End the session `ms` from now whatever happens on it: a pending receive and every later
   * send or receive fail with TIMEOUT, the peer gets a TIMEOUT abort, and the stream closes.
   */
  expireAfter(ms: number, what = 'session'): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.deadlines.delete(timer)
      this.expire(`the ${what} deadline of ${ms} ms passed`)
    }, ms)
    timer.unref()
    this.deadlines.add(timer)
    return timer
  }

  /** Whether a send would be taken: not closed or expired here, and the stream still writable. */
  get writable(): boolean {
    return !this.closing && this.expired === undefined && this.stream.writeStatus === 'writable'
  }

  async send(message: Uint8Array): Promise<void> {
    if (this.expired !== undefined) throw this.expired
    await this.write(encodeFrame('data', message))
    this.stats.bytesSent += message.length
    this.stats.messagesSent++
  }

  receive(options?: ReceiveOptions): Promise<Uint8Array> {
    return this.queue.receive(options)
  }

  /**
   * Tell the peer why we give up (its receive rejects with RemoteAbortError), then close.
   * Best effort: if the stream is already gone, only the close happens.
   */
  async abort(code: ProtocolErrorCode, reason: string): Promise<void> {
    // One abort frame at most: a deadline's abort and the server's own may race.
    if (!this.closing && !this.abortSent) {
      this.abortSent = true
      const payload = ErrorReply.encode({ code: ErrorCode[code], message: reason.slice(0, MAX_REASON_CHARS) })
      // Queued without waiting for the peer to read: the close below flushes it within the
      // linger time, so a peer that stopped reading cannot hold the session past its deadline.
      if (this.stream.writeStatus === 'writable') {
        try {
          this.stream.send(encodeFrame('abort', payload))
        } catch {
          // The stream is already gone; only the close remains.
        }
      }
    }
    await this.close()
  }

  /**
   * Close our writing side after flushing it; a pending receive rejects with CLOSED (messages
   * already received stay readable). The stream is reset if the peer has not closed its side
   * within the linger time, so a silent peer cannot hold it open.
   */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    this.clearDeadlines()
    this.queue.finish(new ChannelError('CLOSED', 'the channel was closed locally'))
    try {
      await this.stream.close({ signal: AbortSignal.timeout(this.lingerMs) })
    } catch {
      this.reset('close did not complete')
      return
    }
    if (this.stream.status === 'open' || this.stream.status === 'closing') {
      const timer = setTimeout(() => this.reset('the peer did not close its side'), this.lingerMs)
      timer.unref()
      this.stream.addEventListener('close', () => clearTimeout(timer), { once: true })
    }
  }

  /** Drop the stream at once, in both directions (shutdown, or a peer that misbehaves). */
  reset(reason: string): void {
    this.closing = true
    this.clearDeadlines()
    this.queue.finish(new ChannelError('CLOSED', reason))
    this.stream.abort(new Error(reason))
  }

  private expire(reason: string): void {
    if (this.closing) return
    this.expired = new ChannelError('TIMEOUT', reason)
    this.queue.finish(this.expired)
    void this.abort('TIMEOUT', reason)
  }

  private clearDeadlines(): void {
    for (const timer of this.deadlines) clearTimeout(timer)
    this.deadlines.clear()
  }

  private async write(frame: Uint8Array): Promise<void> {
    if (this.closing || this.stream.writeStatus !== 'writable') {
      throw new ChannelError('CLOSED', 'send on a closed channel')
    }
    try {
      if (!this.stream.send(frame)) {
        await this.stream.onDrain({ signal: AbortSignal.timeout(this.timeoutMs) })
      }
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new ChannelError('TIMEOUT', `the peer did not read within ${this.timeoutMs} ms`)
      }
      throw new ChannelError('CLOSED', `the stream closed while sending: ${(error as Error).message}`)
    }
  }

  private readonly onMessage = (event: StreamMessageEvent): void => {
    if (this.queue.ended) return
    let frames: Frame[]
    try {
      frames = this.decoder.push(event.data)
    } catch (error) {
      this.queue.finish(error as ChannelError)
      return
    }
    for (const frame of frames) {
      if (frame.kind === 'abort') {
        this.queue.finish(decodeAbort(frame.payload))
        return
      }
      if (this.firstMessageTimer !== undefined) {
        clearTimeout(this.firstMessageTimer)
        this.deadlines.delete(this.firstMessageTimer)
        this.firstMessageTimer = undefined
      }
      this.queue.deliver(frame.payload)
    }
    if (this.queue.queuedBytes + this.decoder.pendingBytes > this.maxQueuedBytes) {
      this.queue.finish(new ChannelError('OVERSIZED', `the peer sent more than ${this.maxQueuedBytes} unread bytes`))
    }
  }

  private readonly onRemoteCloseWrite = (): void => {
    const error =
      this.decoder.pendingBytes > 0
        ? new ChannelError('MALFORMED', 'the peer closed in the middle of a frame')
        : new ChannelError('CLOSED', 'the peer closed the stream')
    this.queue.finish(error)
  }

  private readonly onClose = (event: StreamCloseEvent): void => {
    this.clearDeadlines()
    const detail = event.error === undefined ? 'the stream closed' : `the stream was reset: ${event.error.message}`
    this.queue.finish(new ChannelError('CLOSED', detail))
  }

}

function decodeAbort(payload: Uint8Array): RemoteAbortError {
  try {
    const reply = ErrorReply.decode(payload)
    const code = PROTOCOL_ERROR_CODES.find((known) => known === reply.code) ?? 'ABORTED'
    return new RemoteAbortError(code, reply.message.slice(0, MAX_REASON_CHARS))
  } catch {
    return new RemoteAbortError('ABORTED', 'unreadable abort reason')
  }
}
