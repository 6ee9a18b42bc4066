/**
 * Typed failures of the network protocols. Every failure a peer can cause maps to one code,
 * and that code is what the other side receives in an abort frame, so a client can tell a
 * malformed request from a refused one or an unavailable server.
 */
import { ChannelError, type ChannelErrorCode } from '../mpc/channel.js'

export type ProtocolErrorCode =
  | ChannelErrorCode
  | 'OUT_OF_RANGE' // a sync range outside what the server holds
  | 'REFUSED' // a well-formed request the server will not serve (e.g. a duplicate signup)
  | 'INTERNAL' // the server failed for a reason of its own
  | 'UNAVAILABLE' // the server is shutting down or not ready

export const PROTOCOL_ERROR_CODES: readonly ProtocolErrorCode[] = [
  'TIMEOUT',
  'CLOSED',
  'ABORTED',
  'OVERSIZED',
  'MALFORMED',
  'UNEXPECTED',
  'PARAMETERS',
  'OUT_OF_RANGE',
  'REFUSED',
  'INTERNAL',
  'UNAVAILABLE',
]

/** A failure detected locally while serving or requesting. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode
  constructor(code: ProtocolErrorCode, message: string) {
    super(`${code}: ${message}`)
    this.name = 'ProtocolError'
    this.code = code
  }
}

/**
 * The peer ended the session with an abort frame. It is a ChannelError('ABORTED') so code
 * written against the Channel interface (the 2PC) handles it like any abort; `remoteCode`
 * says why the peer gave up.
 */
export class RemoteAbortError extends ChannelError {
  readonly remoteCode: ProtocolErrorCode
  readonly reason: string
  constructor(remoteCode: ProtocolErrorCode, reason: string) {
    super('ABORTED', `peer aborted with ${remoteCode}: ${reason}`)
    this.name = 'RemoteAbortError'
    this.remoteCode = remoteCode
    this.reason = reason
  }
}

/** The code that describes `error` on the wire and in metrics; unknown errors are INTERNAL. */
export function errorCodeOf(error: unknown): ProtocolErrorCode {
  if (error instanceof RemoteAbortError) return error.remoteCode
  if (error instanceof ChannelError || error instanceof ProtocolError) return error.code
  return 'INTERNAL'
}

/**
 * What the peer may read about `error`. Our own typed errors are written for the peer;
 * anything else may carry internal detail, so it is replaced by a generic sentence.
 */
export function publicMessageOf(error: unknown): string {
  if (error instanceof RemoteAbortError) return error.reason
  if (error instanceof ProtocolError || error instanceof ChannelError) {
    // The code travels in its own field; drop the "CODE: " prefix the message starts with.
    const prefix = `${error.code}: `
    return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  }
  return 'internal error'
}

/**
 * The reason a full server gives: what is full, and in how many seconds a slot is sure to
 * be free (the earliest deadline among the sessions holding one). retryAfterOf reads it back.
 */
export function busyReason(what: string, retryAfterSeconds: number): string {
  return `${what}: busy, retry in ${retryAfterSeconds} s`
}

/** The retry delay, in seconds, of an UNAVAILABLE refusal that names one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof RemoteAbortError) || error.remoteCode !== 'UNAVAILABLE') return undefined
  const match = /busy, retry in (\d+) s/.exec(error.reason)
  return match === null ? undefined : Number(match[1])
}
