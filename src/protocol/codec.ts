/**
 * Conversions between the wire schemas and the core's types, with the checks a server must
 * make on anything a peer sends: bigints are exactly 32 big-endian bytes and below the BN254
 * scalar field modulus (leaves, roots and BabyJubJub coordinates all live in that field).
 */
import type { Uint8ArrayList } from 'uint8arraylist'
import { FieldEncodingError, Fr } from '../crypto/field.js'
import type { PublicKey } from '../crypto/keys.js'
import type { PublicParameters } from '../core/parameters.js'
import { ProtocolError } from './errors.js'
import * as wire from './generated/schema.js'

/** A field element as the schema's bytes field (an ArrayBuffer-backed copy). */
export function fieldToWire(value: bigint): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Fr.toBytesBE(value))
}

/** A field element from a peer: anything but 32 canonical bytes is MALFORMED. */
export function fieldFromBytes(bytes: Uint8Array, what: string): bigint {
  try {
    return Fr.fromBytesBE(bytes)
  } catch (error) {
    if (error instanceof FieldEncodingError) throw new ProtocolError('MALFORMED', `${what}: ${error.message}`)
    throw error
  }
}

export function publicKeyToWire(key: PublicKey): wire.PublicKey {
  return { x: fieldToWire(key[0]), y: fieldToWire(key[1]) }
}

export function publicKeyFromWire(key: wire.PublicKey | undefined, what: string): PublicKey {
  if (key === undefined) throw new ProtocolError('MALFORMED', `${what} is missing`)
  return [fieldFromBytes(key.x, `${what}.x`), fieldFromBytes(key.y, `${what}.y`)]
}

export function parametersToWire(params: PublicParameters): wire.PublicParameters {
  return {
    operatorPublicKey: publicKeyToWire(params.operatorPublicKey),
    keyCommitment: fieldToWire(params.keyCommitment),
    depth: params.depth,
    membershipVkeyHash: params.vkeyHashes.membership,
    leafOpeningVkeyHash: params.vkeyHashes.leafOpening,
    voteOptions: params.voteOptions,
  }
}

export function parametersFromWire(params: wire.PublicParameters | undefined): PublicParameters {
  if (params === undefined) throw new ProtocolError('MALFORMED', 'public parameters are missing')
  if (params.depth < 1 || params.depth > 32) throw new ProtocolError('MALFORMED', `tree depth ${params.depth}`)
  if (params.voteOptions < 1) throw new ProtocolError('MALFORMED', 'a poll has at least one vote option')
  return {
    operatorPublicKey: publicKeyFromWire(params.operatorPublicKey, 'operatorPublicKey'),
    keyCommitment: fieldFromBytes(params.keyCommitment, 'keyCommitment'),
    depth: params.depth,
    vkeyHashes: { membership: params.membershipVkeyHash, leafOpening: params.leafOpeningVkeyHash },
    voteOptions: params.voteOptions,
  }
}

interface Decoder<T> {
  decode(bytes: Uint8Array | Uint8ArrayList): T
}

/** Decode a schema message; bytes that do not parse become a typed MALFORMED error. */
export function decodeAs<T>(schema: Decoder<T>, bytes: Uint8Array, what: string): T {
  try {
    return schema.decode(bytes)
  } catch (error) {
    throw new ProtocolError('MALFORMED', `${what} does not parse: ${(error as Error).message}`)
  }
}
