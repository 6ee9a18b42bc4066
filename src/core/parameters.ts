/**
 * A poll's public parameters (DESIGN 2.1): what the operator publishes at init and every
 * voter, replica and auditor checks against. This module owns their one stored form (the
 * JSON record written by the operator's and the replica's stores and by `export-proofs`);
 * the wire form is the schema's (src/protocol/codec.ts).
 */
import { publicKeyFromString, publicKeyToString, type PublicKey } from '../crypto/keys.js'

export interface PublicParameters {
  operatorPublicKey: PublicKey
  keyCommitment: bigint
  depth: number
  vkeyHashes: { membership: string; leafOpening: string }
  /** The poll's vote options are 0 .. voteOptions - 1; a vote for anything else is ignored. */
  voteOptions: number
}

/** The stored form: decimal strings for the field elements, as MACI's JSON does. */
export interface ParametersRecord {
  operatorPublicKey: string
  keyCommitment: string
  depth: number
  vkeyHashes: { membership: string; leafOpening: string }
  voteOptions: number
}

export function parametersToRecord(parameters: PublicParameters): ParametersRecord {
  return {
    operatorPublicKey: publicKeyToString(parameters.operatorPublicKey),
    keyCommitment: parameters.keyCommitment.toString(),
    depth: parameters.depth,
    vkeyHashes: { membership: parameters.vkeyHashes.membership, leafOpening: parameters.vkeyHashes.leafOpening },
    voteOptions: parameters.voteOptions,
  }
}

export function parametersFromRecord(record: ParametersRecord): PublicParameters {
  return {
    operatorPublicKey: publicKeyFromString(record.operatorPublicKey),
    keyCommitment: BigInt(record.keyCommitment),
    depth: record.depth,
    vkeyHashes: record.vkeyHashes,
    voteOptions: record.voteOptions,
  }
}

/** Whether two parameter sets are the same poll: every field, the operator's key included. */
export function sameParameters(a: PublicParameters, b: PublicParameters): boolean {
  return JSON.stringify(parametersToRecord(a)) === JSON.stringify(parametersToRecord(b))
}
