/**
 * The frame format shared by every maci-anon protocol:
 *
 *   frame = uvarint(1 + payload length) || kind byte || payload
 *
 * Kind 0 carries a message; kind 1 is an abort carrying an ErrorReply, so a peer can say why
 * it ends a session before closing the stream. The length prefix comes first so a receiver
 * can refuse an oversized frame from its header, before buffering the body.
 */
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { ChannelError } from '../mpc/channel.js'

export type FrameKind = 'data' | 'abort'

export interface Frame {
  kind: FrameKind
  payload: Uint8Array
}

const KIND_BYTE: Record<FrameKind, number> = { data: 0, abort: 1 }

/** A uvarint of at most 5 bytes covers every length below 2^35; we accept below 2^31. */
const MAX_VARINT_BYTES = 5
const MAX_BODY_LENGTH = 2 ** 31 - 1

export function encodeFrame(kind: FrameKind, payload: Uint8Array): Uint8Array {
  const bodyLength = payload.length + 1
  const headerLength = varint.encodingLength(bodyLength)
  const frame = new Uint8Array(headerLength + bodyLength)
  varint.encode(bodyLength, frame, 0)
  frame[headerLength] = KIND_BYTE[kind]
  frame.set(payload, headerLength + 1)
  return frame
}

/**
 * Incremental decoder: push transport chunks, get whole frames. `payloadLimit` is asked when
 * a header is complete, so the caller can tighten or widen the limit per receive.
 */
export class FrameDecoder {
  private readonly buffer = new Uint8ArrayList()
  private bodyLength: number | undefined
  /** Length of the header already consumed for the frame whose body is awaited. */
  private headerBytes = 0

  constructor(private readonly payloadLimit: () => number) {}

  /**
   * Bytes received that do not yet form a whole frame, the consumed header of a frame whose
   * body is awaited included: a peer that sends a length prefix and closes has stopped in
   * the middle of a frame (MALFORMED), not between two.
   */
  get pendingBytes(): number {
    return this.buffer.byteLength + (this.bodyLength === undefined ? 0 : this.headerBytes)
  }

  /** Throws ChannelError MALFORMED or OVERSIZED; the decoder is then unusable. */
  push(chunk: Uint8Array | Uint8ArrayList): Frame[] {
    this.buffer.append(chunk)
    const frames: Frame[] = []
    for (;;) {
      if (this.bodyLength === undefined) {
        const header = this.readHeader()
        if (header === undefined) return frames
        this.buffer.consume(header.bytes)
        this.bodyLength = header.length
        this.headerBytes = header.bytes
      }
      if (this.buffer.byteLength < this.bodyLength) return frames
      const body = this.buffer.subarray(0, this.bodyLength)
      this.buffer.consume(this.bodyLength)
      this.bodyLength = undefined
      frames.push(parseBody(body))
    }
  }

  /**
   * The length prefix, once its last byte (high bit clear) has arrived; uint8-varint reads
   * it. A prefix is refused from its header alone: empty, too long, or over the limit.
   */
  private readHeader(): { length: number; bytes: number } | undefined {
    const available = Math.min(this.buffer.byteLength, MAX_VARINT_BYTES)
    for (let i = 0; i < available; i++) {
      if ((this.buffer.get(i) & 0x80) !== 0) continue
      const length = varint.decode(this.buffer, 0)
      if (length === 0) throw new ChannelError('MALFORMED', 'empty frame')
      if (length > MAX_BODY_LENGTH) throw new ChannelError('OVERSIZED', `frame of ${length} bytes`)
      const limit = this.payloadLimit()
      if (length - 1 > limit) {
        throw new ChannelError('OVERSIZED', `frame of ${length - 1} bytes exceeds ${limit}`)
      }
      return { length, bytes: i + 1 }
    }
    if (this.buffer.byteLength >= MAX_VARINT_BYTES) {
      throw new ChannelError('MALFORMED', 'frame length prefix too long')
    }
    return undefined
  }
}

function parseBody(body: Uint8Array): Frame {
  // A copy: the body may be a view into a transport buffer the muxer reuses.
  const payload = body.slice(1)
  switch (body[0]) {
    case KIND_BYTE.data:
      return { kind: 'data', payload }
    case KIND_BYTE.abort:
      return { kind: 'abort', payload }
    default:
      throw new ChannelError('MALFORMED', `unknown frame kind ${body[0]}`)
  }
}
