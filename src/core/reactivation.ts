/**
 * A reactivation as the operator's rules see it (DESIGN 2.3 step 4): the two proofs and the
 * new key a voter submits, the public-signal layouts of the two circuits, the refusals that
 * record nothing, and the records an attempt leaves.
 */
import { Fr } from '../crypto/field.js'
import type { PublicKey } from '../crypto/keys.js'
import { MaciAnonError } from '../errors.js'
import type { ProofWithSignals } from '../zk/groth16.js'

/** Membership public signals, in the circuit's order (circuits/membership.circom). */
export const MEMBERSHIP_SIGNALS = { root: 0, nullifier: 1, newKeyHash: 2, link: 3 } as const
export const MEMBERSHIP_SIGNAL_COUNT = Object.keys(MEMBERSHIP_SIGNALS).length
/** Leaf-opening public signals, in the circuit's order (circuits/leaf_opening.circom). */
export const LEAF_OPENING_SIGNALS = { link: 0, keyCommitment: 1 } as const

export interface ReactivationSubmission {
  newPublicKey: PublicKey
  membership: ProofWithSignals
  leafOpening: ProofWithSignals
}

export interface ReactivationOutcome {
  attempt: number
  activated: boolean
}

/** What the membership proof of an admitted session binds: public, checked against the state. */
export interface AdmittedMembership {
  nullifier: bigint
  link: bigint
  newKeyHash: bigint
  root: bigint
}

/** Why a reactivation was refused before anything was recorded. */
export type ReactivationRejection = 'MALFORMED' | 'KEY_MISMATCH' | 'UNKNOWN_ROOT' | 'NULLIFIER_USED' | 'LINK_USED' | 'BAD_MEMBERSHIP_PROOF'

export class ReactivationRejected extends MaciAnonError {
  declare readonly code: ReactivationRejection
  constructor(code: ReactivationRejection, detail: string) {
    super(code, detail, { exposable: true, codeInMessage: true })
  }
}

/** The public record of an attempt: what the operator publishes (N, L, the membership proof). */
export interface PublicAttempt {
  nullifier: string
  link: string
  membership: ProofWithSignals
}

/** The private record of an attempt: never served, read by `export-proofs` for activations. */
export interface PrivateAttempt {
  newPublicKey: string
  leafOpening: ProofWithSignals
  activated: boolean
}

/** A proof's public signals as field elements, or MALFORMED if there are not `count` of them. */
export function parseSignals(proof: ProofWithSignals, count: number): bigint[] {
  if (typeof proof !== 'object' || proof === null || !Array.isArray(proof.publicSignals) || proof.publicSignals.length !== count) {
    throw new ReactivationRejected('MALFORMED', `expected ${count} public signals`)
  }
  try {
    return proof.publicSignals.map((signal) => Fr.fromDecimal(String(signal)))
  } catch (error) {
    throw new ReactivationRejected('MALFORMED', (error as Error).message)
  }
}
