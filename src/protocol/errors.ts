/**
 * Typed failures of the network protocols. Every failure a peer can cause maps to one code,
 * and that code is what the other side receives in an abort frame, so a client can tell a
 * malformed request from a refused one or an unavailable server.
 */
import { MaciAnonError } from '../errors.js'
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

/**
 * A failure detected locally while serving or requesting. Its detail describes what the
 * peer sent or asked for (or that this side is not ready), so it is exposable: it is what
 * the peer reads in the abort frame.
 */
export class ProtocolError extends MaciAnonError {
  declare readonly code: ProtocolErrorCode

  constructor(code: ProtocolErrorCode, detail: string) {
    super(code, detail, { exposable: true, codeInMessage: true })
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

/** What a peer is told of a failure that is not its own to know. */
const INTERNAL_REASON = 'internal error'

function isProtocolErrorCode(code: string): code is ProtocolErrorCode {
  return (PROTOCOL_ERROR_CODES as readonly string[]).includes(code)
}

/**
 * An error the peer may be told about as it is: exposable, and already in the wire's
 * vocabulary (a ProtocolError, a ChannelError). A domain refusal (an OperatorError, a
 * ReactivationSessionError) has a code of its own rule, and the service that runs the rule
 * picks its wire code once, by throwing a ProtocolError; until then it is INTERNAL here.
 */
function onTheWire(error: unknown): (MaciAnonError & { code: ProtocolErrorCode }) | undefined {
  if (!(error instanceof MaciAnonError) || !error.exposable || !isProtocolErrorCode(error.code)) return undefined
  return error as MaciAnonError & { code: ProtocolErrorCode }
}

/** The code that describes `error` on the wire and in metrics; any error not exposable as it is is INTERNAL. */
export function errorCodeOf(error: unknown): ProtocolErrorCode {
  if (error instanceof RemoteAbortError) return error.remoteCode
  return onTheWire(error)?.code ?? 'INTERNAL'
}

/**
 * What the peer may read about `error`: the detail of an exposable error (the code travels
 * in a field of its own), or, since anything else may carry internal detail, a generic
 * sentence.
 */
export function publicMessageOf(error: unknown): string {
  if (error instanceof RemoteAbortError) return error.reason
  return onTheWire(error)?.detail ?? INTERNAL_REASON
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
