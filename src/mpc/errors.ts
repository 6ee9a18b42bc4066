/**
 * What each protocol of src/mpc refuses, one class per protocol (as mpz gives each protocol
 * its error.rs). A refusal is always about bytes the peer sent, so each class is a
 * ChannelError: callers that only care that the session failed see the same name, code and
 * `CODE: detail` message as for a channel failure, and `instanceof` tells which protocol
 * refused. A frame of the wrong tag or length is the framing's refusal (session.ts) and stays
 * a plain ChannelError('UNEXPECTED'); so do the channel's own failures.
 *
 * The triples and the bit conversion refuse nothing of their own and fail only through the
 * OLE. The OT extension accepts any bytes as columns, but refuses the batch when the
 * receiver's answer to the KOS15 consistency check does not match them (OtExtensionError).
 */
import { ChannelError } from './channel.js'

/** The peer runs the session with other parameters (session.ts, agreeParameters). */
export class ParametersError extends ChannelError {
  declare readonly code: 'PARAMETERS'

  constructor(detail: string) {
    super('PARAMETERS', detail)
  }
}

/** A group element from the peer that the base OT cannot use (base-ot.ts). */
export class BaseOtError extends ChannelError {
  declare readonly code: 'MALFORMED'

  constructor(detail: string) {
    super('MALFORMED', detail)
  }
}

/**
 * The OT-extension receiver's answer to the KOS15 consistency check does not match its
 * columns (ot-extension.ts): the columns were not all built from one choice vector. The
 * sender never uses that batch's rows, nor its delta again in the session. The code is
 * MALFORMED because the answer is not the one the columns determine; `check` tells this
 * refusal apart from a decoding one.
 */
export class OtExtensionError extends ChannelError {
  declare readonly code: 'MALFORMED'
  readonly check = 'KOS15_CONSISTENCY' as const

  constructor(detail: string) {
    super('MALFORMED', detail)
  }
}

/** An OLE correction that is no canonical field element (ole.ts). */
export class OleError extends ChannelError {
  declare readonly code: 'MALFORMED'

  constructor(detail: string) {
    super('MALFORMED', detail)
  }
}

/** A garbled-circuit message with bits set that its encoding leaves zero (garbled/two-party.ts). */
export class GarbledCircuitError extends ChannelError {
  declare readonly code: 'MALFORMED'

  constructor(detail: string) {
    super('MALFORMED', detail)
  }
}
