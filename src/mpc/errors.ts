/**
 * What each protocol of src/mpc refuses, one class per protocol (as mpz gives each protocol
 * its error.rs). A refusal is always about bytes the peer sent, so each class is a
 * ChannelError: callers that only care that the session failed see the same name, code and
 * `CODE: detail` message as for a channel failure, and `instanceof` tells which protocol
 * refused. A frame of the wrong tag or length is the framing's refusal (session.ts) and stays
 * a plain ChannelError('UNEXPECTED'); so do the channel's own failures.
 *
 * The OT extension, the triples and the bit conversion refuse nothing of their own: any
 * bytes of the right length are valid IKNP columns (the KOS15 check at the SEAMs of
 * ot-extension.ts would add the first refusal), and the others fail only through the OLE.
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
