/** What a caller may give either side of a reactivation session. */

/** The session's phases, in order; both sides go through all of them. */
export type ReactivationPhase = 'handshake' | 'triples' | 'shared-hash' | 'validity-bit' | 'proof' | 'submit'

/**
 * Whether the voter's secret inputs (c, leaf, rho, i and their shares) enter the session
 * from this phase on. The handshake agrees on parameters and the triples are preprocessing:
 * no message depends on an input (the voter's local MSMs over its own wires run beside them
 * and send nothing); from the shared hash on, every message the voter sends, and whether and
 * where it stops, may depend on them.
 */
export function usesVoterInputs(phase: ReactivationPhase): boolean {
  return phase !== 'handshake' && phase !== 'triples'
}

export interface ReactivationSessionOptions {
  /** Deadline for every receive, in milliseconds. */
  timeoutMs?: number
  /** Called at the start of each phase, for progress display. Never given secret values. */
  onPhase?: (phase: ReactivationPhase) => void
}
