/**
 * A reactivation runs only under the KC its deactivation was made under: the voter puts KC
 * into the proof (joint-proof.ts), so an operator that published another KC, and ran every
 * session with the key behind it, would get a valid proof only from the voters whose leaves
 * it had planted under that key. Light, as errors.ts: the CLI checks it before any
 * reactivation traffic, and the session again before its hello.
 */
import type { PublicParameters } from '../parameters.js'
import { ReactivationSessionError } from './errors.js'

/**
 * Throws KEY_COMMITMENT_CHANGED when `params` carry another KC than `deactivatedUnder`;
 * undefined (a deactivation saved before the keystore pinned it) is not checked.
 */
export function assertPinnedKeyCommitment(params: PublicParameters, deactivatedUnder: bigint | undefined): void {
  if (deactivatedUnder !== undefined && deactivatedUnder !== params.keyCommitment) {
    throw new ReactivationSessionError(
      'KEY_COMMITMENT_CHANGED',
      `the operator now publishes key commitment ${params.keyCommitment}, but the deactivation was made under ${deactivatedUnder}`,
    )
  }
}
