import { ChannelError } from '../mpc/channel.js'
import { errorCodeOf, ProtocolError } from '../protocol/errors.js'

/** A failure the CLI reports as one sentence, without a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliError'
  }
}

/**
 * The machine-readable part of an error: a code for every error, and for a busy operator
 * the seconds after which to retry. Protocol and channel errors give their wire code; an
 * error with a string `code` of its own gives that (a refusal, a ReactivationSessionError,
 * a system error); any other is named by its class (VoterKeystoreError: VOTER_KEYSTORE), and
 * a plain Error, which nothing here throws on purpose, is INTERNAL.
 */
export function typedFields(error: unknown): { code: string; retryAfterSeconds?: number } {
  if (error instanceof ChannelError || error instanceof ProtocolError) return { code: errorCodeOf(error) }
  if (!(error instanceof Error)) return { code: 'INTERNAL' }
  const { code, retryAfterSeconds } = error as Error & { code?: unknown; retryAfterSeconds?: number }
  if (typeof code === 'string') return retryAfterSeconds === undefined ? { code } : { code, retryAfterSeconds }
  if (error.name === 'Error') return { code: 'INTERNAL' }
  return { code: error.name.replace(/Error$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase() }
}
