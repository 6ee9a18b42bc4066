import { describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import { generateKeypair, verify } from '../../src/crypto/keys.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import {
  decodeMessage,
  encodeMessage,
  MessageFormatError,
  MessageKind,
  SIGNED_MESSAGE_BYTES,
  signMessage,
  verifyMessage,
  type SignedMessage,
} from '../../src/crypto/signed-message.js'
import { maciSeed, R, randomField } from './helpers.js'
import { zkKit, zkKitVerify } from './zk-kit-reference.js'

const keypair = generateKeypair()
const kinds = [MessageKind.deactivate, MessageKind.vote]

function expectFormatError(bytes: Uint8Array, label: string): void {
  let error: unknown
  try {
    decodeMessage(bytes)
  } catch (caught) {
    error = caught
  }
  expect(error, label).toBeInstanceOf(MessageFormatError)
}

function bigEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 31, rest = value; i >= 0; i--, rest >>= 8n) out[i] = Number(rest & 0xffn)
  return out
}

describe('signed messages', () => {
  it('is 1 + 7 * 32 = 225 bytes, whatever the kind and payload', () => {
    expect(SIGNED_MESSAGE_BYTES).toBe(225)
    for (const kind of kinds) {
      for (const payload of [0n, 1n, R - 1n, randomField()]) {
        expect(encodeMessage(signMessage(keypair, kind, payload))).toHaveLength(SIGNED_MESSAGE_BYTES)
      }
    }
  })

  it('encode / decode round-trips and the decoded message verifies', () => {
    for (const kind of kinds) {
      const message = signMessage(keypair, kind, randomField())
      const decoded = decodeMessage(encodeMessage(message))
      expect(decoded).toEqual(message)
      expect(verifyMessage(decoded)).toBe(true)
    }
  })

  it('follows the documented layout: kind | pk.x | pk.y | payload | nonce | R8.x | R8.y | S, big-endian', () => {
    const message = signMessage(keypair, MessageKind.vote, 7n)
    const bytes = encodeMessage(message)
    expect(bytes[0]).toBe(2)
    const fields = [message.publicKey[0], message.publicKey[1], 7n, message.nonce, message.signature.R8[0], message.signature.R8[1], message.signature.S]
    fields.forEach((value, i) => expect(Buffer.from(bytes.subarray(1 + 32 * i, 33 + 32 * i)).equals(Buffer.from(bigEndian(value))), `field ${i}`).toBe(true))
  })

  it('signs H(kind, pk.x, pk.y, payload, nonce)', () => {
    const message = signMessage(keypair, MessageKind.deactivate, randomField())
    const digest = poseidon([1n, keypair.publicKey[0], keypair.publicKey[1], message.payload, message.nonce])
    expect(verify(keypair.publicKey, digest, message.signature)).toBe(true)
  })

  it('uses a fresh nonce for every message', () => {
    const payload = randomField()
    const a = signMessage(keypair, MessageKind.vote, payload)
    const b = signMessage(keypair, MessageKind.vote, payload)
    expect(a.nonce).not.toBe(b.nonce)
    expect(a.nonce >= 0n && a.nonce < R).toBe(true)
  })

  it('decode rejects a wrong length', () => {
    const bytes = encodeMessage(signMessage(keypair, MessageKind.vote, 1n))
    for (const length of [0, 1, SIGNED_MESSAGE_BYTES - 1]) expectFormatError(bytes.subarray(0, length), `length ${length}`)
    const longer = new Uint8Array(SIGNED_MESSAGE_BYTES + 1)
    longer.set(bytes)
    expectFormatError(longer, `length ${SIGNED_MESSAGE_BYTES + 1}`)
  })

  it('decode rejects an unknown kind', () => {
    const bytes = encodeMessage(signMessage(keypair, MessageKind.vote, 1n))
    for (const kind of [0, 3, 4, 0x81, 255]) {
      const tampered = Uint8Array.from(bytes)
      tampered[0] = kind
      expectFormatError(tampered, `kind ${kind}`)
    }
  })

  it('decode rejects a non-canonical field (>= r) in each of the 7 positions', () => {
    const bytes = encodeMessage(signMessage(keypair, MessageKind.deactivate, randomField()))
    for (let i = 0; i < 7; i++) {
      for (const value of [R, R + 1n, (1n << 256n) - 1n]) {
        const tampered = Uint8Array.from(bytes)
        tampered.set(bigEndian(value), 1 + 32 * i)
        expectFormatError(tampered, `field ${i} = ${value}`)
      }
      // r - 1 is canonical and must decode.
      const edge = Uint8Array.from(bytes)
      edge.set(bigEndian(R - 1n), 1 + 32 * i)
      expect(() => decodeMessage(edge), `field ${i} = r - 1`).not.toThrow()
    }
  })

  it('verifyMessage detects a changed payload, nonce, kind, key or signature', () => {
    const message = signMessage(keypair, MessageKind.deactivate, randomField())
    expect(verifyMessage(message)).toBe(true)
    const changed: [string, SignedMessage][] = [
      ['payload', { ...message, payload: (message.payload + 1n) % R }],
      ['nonce', { ...message, nonce: (message.nonce + 1n) % R }],
      ['kind', { ...message, kind: MessageKind.vote }],
      ['public key', { ...message, publicKey: generateKeypair().publicKey }],
      ['signature S', { ...message, signature: { ...message.signature, S: message.signature.S + 1n } }],
    ]
    for (const [name, variant] of changed) expect(verifyMessage(variant), name).toBe(false)
  })

  it('verifyMessage detects a flipped bit in any signed field of the encoding', () => {
    const bytes = encodeMessage(signMessage(keypair, MessageKind.vote, randomField()))
    // Flip the lowest bit of each of the 7 fields: a canonical value stays canonical (unless it was r - 1).
    for (let i = 0; i < 7; i++) {
      const tampered = Uint8Array.from(bytes)
      tampered[32 + 32 * i] ^= 1
      let decoded: SignedMessage | undefined
      try {
        decoded = decodeMessage(tampered)
      } catch (error) {
        expect(error).toBeInstanceOf(MessageFormatError)
      }
      if (decoded !== undefined) expect(verifyMessage(decoded), `field ${i}`).toBe(false)
    }
  })

  it('encode refuses out-of-range fields rather than wrapping them', () => {
    const message = signMessage(keypair, MessageKind.vote, 1n)
    expect(() => encodeMessage({ ...message, payload: R })).toThrow()
    expect(() => encodeMessage({ ...message, payload: -1n })).toThrow()
    expect(Buffer.from(encodeMessage(message).subarray(65, 97)).equals(Buffer.from(Fr.toBytesBE(1n)))).toBe(true)
  })

  it('verifyMessage answers as zk-kit does on the digest, for a valid message and each field changed', () => {
    const message = signMessage(keypair, MessageKind.vote, randomField())
    const digestOf = (m: SignedMessage) => poseidon([BigInt(m.kind), m.publicKey[0], m.publicKey[1], m.payload, m.nonce])
    const variants: SignedMessage[] = [
      message,
      { ...message, payload: (message.payload + 1n) % R },
      { ...message, nonce: randomField() },
      { ...message, kind: MessageKind.deactivate },
      { ...message, publicKey: generateKeypair().publicKey },
      { ...message, signature: { ...message.signature, R8: signMessage(keypair, MessageKind.vote, 1n).signature.R8 } },
      { ...message, signature: { ...message.signature, S: (message.signature.S + 1n) % R } },
    ]
    variants.forEach((variant, i) => expect(verifyMessage(variant), `variant ${i}`).toBe(zkKitVerify(variant.publicKey, digestOf(variant), variant.signature)))
    expect(verifyMessage(message)).toBe(true)
  })

  it('accepts a message signed by zk-kit\'s signMessage, as the previous implementation signed it', () => {
    const message = signMessage(keypair, MessageKind.deactivate, randomField())
    const digest = poseidon([1n, keypair.publicKey[0], keypair.publicKey[1], message.payload, message.nonce])
    const signature = zkKit.signMessage(maciSeed(keypair.privateKey), digest)
    expect(signature).toEqual(message.signature)
    expect(verifyMessage({ ...message, signature })).toBe(true)
  })
})
