/**
 * The one error base of maci-anon. Every error the code throws on purpose is a
 * MaciAnonError: a stable machine-readable `code`, the sentence `detail` it was made with,
 * and whether that sentence may be shown to the peer of a session (`exposable`). Callers
 * tell errors apart with `instanceof` and `code`, never by class name or message text.
 *
 * The message is composed once, here: the detail, prefixed by the code for the errors that
 * travel as a code (`CODE: detail`). Code that needs the sentence alone (an abort frame
 * carries the code in a field of its own) reads `detail`, rather than stripping the prefix.
 *
 * This module imports nothing, so every layer may import it.
 */
export interface MaciAnonErrorOptions {
  /**
   * True when `detail` is written for the peer and carries nothing private: a refusal the
   * peer caused, a malformed frame it sent. False (the default) for local failures (a
   * store, a file, a key), whose detail may name paths or state; a peer is told INTERNAL.
   */
  exposable?: boolean
  /** Start the message with `CODE: `, for errors whose code is their first word to a reader. */
  codeInMessage?: boolean
}

export class MaciAnonError extends Error {
  readonly exposable: boolean

  constructor(
    readonly code: string,
    readonly detail: string,
    options: MaciAnonErrorOptions = {},
  ) {
    super(options.codeInMessage === true ? `${code}: ${detail}` : detail)
    this.name = new.target.name
    this.exposable = options.exposable ?? false
  }
}
