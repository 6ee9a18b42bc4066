/**
 * The voter's signed messages to the operator: a deactivation carries the commitment
 * c = H(s + 1); a vote carries the chosen option. Each is signed with EdDSA-Poseidon over
 * H(kind, pubKey, payload, nonce), encoded at a fixed size, and encrypted to the operator
 * (src/crypto/encryption.ts), so every ciphertext of one kind has the same length.
 *
 * Layout: kind (1) | pubKey x (32) | pubKey y (32) | payload (32) | nonce (32) |
 *         R8 x (32) | R8 y (32) | S (32)
 */
import { MaciAnonError } from '../errors.js'
import { FieldEncodingError, Fr, randomFieldElement } from './field.js'
import { sign, verify, verifyUnderAdmittedKey, type Keypair, type PublicKey, type Signature } from './keys.js'
import { poseidon } from './poseidon.js'

export const MessageKind = { deactivate: 1, vote: 2 } as const
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind]

export const SIGNED_MESSAGE_BYTES = 1 + 7 * 32

export interface SignedMessage {
  kind: MessageKind
  publicKey: PublicKey
  payload: bigint
  nonce: bigint
  signature: Signature<bigint>
}

export class MessageFormatError extends MaciAnonError {
  constructor(message: string) {
    super('MESSAGE_FORMAT', message)
  }
}

function digest(kind: MessageKind, publicKey: PublicKey, payload: bigint, nonce: bigint): bigint {
  return poseidon([BigInt(kind), publicKey[0], publicKey[1], payload, nonce])
}

export function signMessage(keypair: Keypair, kind: MessageKind, payload: bigint): SignedMessage {
  const nonce = randomFieldElement()
  const signature = sign(keypair.privateKey, digest(kind, keypair.publicKey, payload, nonce))
  return { kind, publicKey: keypair.publicKey, payload, nonce, signature }
}

export function verifyMessage(message: SignedMessage): boolean {
  return verify(message.publicKey, digest(message.kind, message.publicKey, message.payload, message.nonce), message.signature)
}

/** verifyMessage for a sender whose key was admitted after isOnCurve (keys.ts, verifyUnderAdmittedKey, and its caveat). */
export function verifyMessageOfAdmittedKey(message: SignedMessage): boolean {
  return verifyUnderAdmittedKey(message.publicKey, digest(message.kind, message.publicKey, message.payload, message.nonce), message.signature)
}

export function encodeMessage(message: SignedMessage): Uint8Array {
  const out = new Uint8Array(SIGNED_MESSAGE_BYTES)
  out[0] = message.kind
  const fields = [
    message.publicKey[0],
    message.publicKey[1],
    message.payload,
    message.nonce,
    message.signature.R8[0],
    message.signature.R8[1],
    message.signature.S,
  ]
  fields.forEach((value, i) => out.set(Fr.toBytesBE(value), 1 + 32 * i))
  return out
}

export function decodeMessage(bytes: Uint8Array): SignedMessage {
  if (bytes.length !== SIGNED_MESSAGE_BYTES) throw new MessageFormatError(`a message is ${SIGNED_MESSAGE_BYTES} bytes, got ${bytes.length}`)
  const kind = bytes[0]
  if (kind !== MessageKind.deactivate && kind !== MessageKind.vote) throw new MessageFormatError(`unknown message kind ${kind}`)
  try {
    const field = (i: number) => Fr.fromBytesBE(bytes.subarray(1 + 32 * i, 33 + 32 * i))
    return {
      kind,
      publicKey: [field(0), field(1)],
      payload: field(2),
      nonce: field(3),
      signature: { R8: [field(4), field(5)], S: field(6) },
    }
  } catch (error) {
    if (error instanceof FieldEncodingError) throw new MessageFormatError(error.message)
    throw error
  }
}
