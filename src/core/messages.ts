/**
 * The messages voters encrypt to the operator (DESIGN 2.2, 2.5): their one fixed size, the
 * contexts that keep a ciphertext made for one use from being accepted by another, and the
 * open refusals the operator may give for them.
 */
import { CIPHERTEXT_OVERHEAD } from '../crypto/encryption.js'
import { SIGNED_MESSAGE_BYTES } from '../crypto/signed-message.js'
import { MaciAnonError } from '../errors.js'

/**
 * Every deactivation and vote ciphertext has exactly this length (DESIGN 2.5, "no free
 * leaves"): one fixed-size signed message under ECIES. Anything else is refused unread.
 */
export const MESSAGE_CIPHERTEXT_BYTES = SIGNED_MESSAGE_BYTES + CIPHERTEXT_OVERHEAD

/** Contexts for encryption to the operator, so a ciphertext made for one use is refused by another. */
export const EncryptionContext = { deactivation: 'deactivation', vote: 'vote', sealedShare: 'sealed-share' } as const

/**
 * What the operator refuses or cannot do. A refusal by its rules (a duplicate signup, a bad
 * key) states a fact the peer knows and is exposable; a failure of the operator's own setup
 * (a directory, its state) is `local`: it may name paths, and a peer is told INTERNAL.
 */
export class OperatorError extends MaciAnonError {
  constructor(detail: string, options: { code?: string; local?: boolean } = {}) {
    const code = options.code ?? 'OPERATOR'
    super(code, detail, { exposable: options.local !== true, codeInMessage: code !== 'OPERATOR' })
  }
}

/**
 * Why a deactivation or vote was refused openly, with nothing recorded. Each reason is a
 * fact the sender knows or anyone can check (DESIGN 2.5, "no free leaves"): whether its own
 * ciphertext opens, and whether its key is in the public signup list or is the new key of a
 * public reactivation attempt. Nothing about a key's activity is among them.
 */
export type MessageRefusal = 'BAD_LENGTH' | 'UNDECRYPTABLE' | 'UNKNOWN_KEY'

export class MessageRefused extends OperatorError {
  declare readonly code: MessageRefusal
  constructor(code: MessageRefusal, detail: string) {
    super(detail, { code })
  }
}
