/** What a caller may give either side of a reactivation session. */

/** The session's phases, in order; both sides go through all of them. */
export type ReactivationPhase = 'handshake' | 'triples' | 'shared-hash' | 'validity-bit' | 'proof' | 'submit'

export interface ReactivationSessionOptions {
  /** Deadline for every receive, in milliseconds. */
  timeoutMs?: number
  /** Called at the start of each phase, for progress display. Never given secret values. */
  onPhase?: (phase: ReactivationPhase) => void
}
