/**
 * Opening a deactivation or vote sealed to the operator (DESIGN 2.2): the ECDH and AEAD
 * opening (src/crypto/encryption.ts), the sender's key hash and, when asked, the
 * EdDSA-Poseidon verification. None of it depends on the operator's state, so the daemon
 * may run it on other threads (src/daemon/message-opener.ts, src/daemon/vote-opening.ts);
 * `inThreadMessageOpener` is the same code in the calling thread, for tests and tools.
 */
import { decryptWith, DecryptionError } from '../crypto/encryption.js'
import { hashPublicKey } from '../crypto/keys.js'
import { decodeMessage, MessageFormatError, MessageKind, verifyMessage, verifyMessageOfAdmittedKey, type SignedMessage } from '../crypto/signed-message.js'

export interface OpenedMessage {
  message: SignedMessage
  keyHash: bigint
  /**
   * Whether the signature verifies; false when it was not asked for. Verified as under an
   * admitted key (verifyMessageOfAdmittedKey): it counts only if the operator knows the
   * sender, whose key passed the subgroup check when it was signed up or named as a
   * reactivation's new key. The operator refuses every other sender (Operator.openKnownMessage).
   */
  signatureValid: boolean
}

export interface MessageOpener {
  /** undefined for a ciphertext that does not open or parse. */
  open(ciphertext: Uint8Array, context: string, verify: boolean): Promise<OpenedMessage | undefined>
  close(): Promise<void>
}

/** Makes the opener of an operator from its decryption key. */
export type MessageOpenerFactory = (privateKey: Uint8Array) => MessageOpener

/** The signed message inside a ciphertext sealed to the operator, or undefined if it does not open or parse. */
export function openSignedMessage(privateKey: Uint8Array, ciphertext: Uint8Array, context: string): SignedMessage | undefined {
  try {
    return decodeMessage(decryptWith(privateKey, ciphertext, context))
  } catch (error) {
    if (error instanceof DecryptionError || error instanceof MessageFormatError) return undefined
    throw error
  }
}

export function openMessage(privateKey: Uint8Array, ciphertext: Uint8Array, context: string, verify: boolean): OpenedMessage | undefined {
  const message = openSignedMessage(privateKey, ciphertext, context)
  if (message === undefined) return undefined
  return { message, keyHash: hashPublicKey(message.publicKey), signatureValid: verify && verifyMessageOfAdmittedKey(message) }
}

export const inThreadMessageOpener: MessageOpenerFactory = (privateKey) => ({
  open: (ciphertext, context, verify) => Promise.resolve(openMessage(privateKey, ciphertext, context, verify)),
  close: () => Promise.resolve(),
})

/** A vote that opens, is a vote, and verifies: its key's hash and the option it names. */
export interface JudgedVote {
  keyHash: bigint
  option: bigint
}

/** undefined for a ciphertext that does not open or parse, a message of another kind, or a bad signature. */
export function judgeVote(privateKey: Uint8Array, ciphertext: Uint8Array, context: string): JudgedVote | undefined {
  // Opened as the operator opens a vote it is sent; verified only once it is known to be a vote.
  const opened = openMessage(privateKey, ciphertext, context, false)
  if (opened === undefined || opened.message.kind !== MessageKind.vote || !verifyMessage(opened.message)) return undefined
  return { keyHash: opened.keyHash, option: opened.message.payload }
}
