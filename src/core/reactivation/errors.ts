/**
 * How a reactivation session ends without a proof, for a reason other than the channel
 * (which throws ChannelError). Light on purpose: the CLI and the daemon check these with
 * `instanceof` without loading the session and its MPC engine.
 */
import { MaciAnonError } from '../../errors.js'
import type { HelloRefusal } from './messages.js'

export type ReactivationSessionErrorCode = 'PROTOCOL' | 'REFUSED' | 'BUSY' | 'RELEASE_MISMATCH' | 'KEY_COMMITMENT_CHANGED' | HelloRefusal

/**
 * A session that ended without a proof, for a reason other than the channel. Its detail
 * says what the peer sent or what this side refused, never a secret, so it is exposable.
 */
export class ReactivationSessionError extends MaciAnonError {
  declare readonly code: ReactivationSessionErrorCode

  constructor(
    code: ReactivationSessionErrorCode,
    detail: string,
    /** For BUSY: the seconds after which the operator is sure to have a free slot. */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, detail, { exposable: true, codeInMessage: true })
  }
}
