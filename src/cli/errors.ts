import { ReactivationSessionError } from '../core/reactivation/errors.js'
import { MaciAnonError } from '../errors.js'
import { RemoteAbortError } from '../protocol/errors.js'

/**
 * A failure the CLI reports as one sentence, without a stack trace. `code` is for the
 * subclasses that carry a code of their own (the admin socket's, say); a plain one is CLI.
 */
export class CliError extends MaciAnonError {
  constructor(message: string, code = 'CLI') {
    super(code, message)
  }
}

/**
 * The machine-readable part of an error: a code for every error, and for a busy operator
 * the seconds after which to retry. The peer's abort gives the peer's code; every error of
 * ours is a MaciAnonError and gives its own; a system error gives its errno code (ENOENT);
 * anything else, which nothing here throws on purpose, is INTERNAL.
 */
export function typedFields(error: unknown): { code: string; retryAfterSeconds?: number } {
  if (error instanceof RemoteAbortError) return { code: error.remoteCode }
  if (error instanceof ReactivationSessionError && error.retryAfterSeconds !== undefined) {
    return { code: error.code, retryAfterSeconds: error.retryAfterSeconds }
  }
  if (error instanceof MaciAnonError) return { code: error.code }
  const { code } = error instanceof Error ? (error as NodeJS.ErrnoException) : {}
  return { code: typeof code === 'string' ? code : 'INTERNAL' }
}
