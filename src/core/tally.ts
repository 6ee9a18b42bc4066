/**
 * The tally's rule (DESIGN 2.4, 2.5 "fixed options"): for every key active now, its latest
 * valid vote, over the poll's options only. Votes from keys that were deactivated, from
 * keys never active, with bad signatures or superseded are ignored, as MACI ignores votes
 * under a changed key. A vote for an option the poll does not define is ignored too, so a
 * briber cannot give each bought key its own option and read the keys' fate off the tally.
 */
import type { JudgedVote } from './message-opening.js'

export interface Tally {
  /** One entry per defined option, zero counts included, so its shape is fixed by the poll. */
  counts: Record<string, number>
  countedVotes: number
  ignoredVotes: number
}

/** `judged` is the vote log in order, each entry judged by judgeVote (undefined: not a valid vote). */
export function countVotes(judged: ReadonlyArray<JudgedVote | undefined>, isActive: (keyHash: bigint) => boolean, voteOptions: number): Tally {
  const latest = new Map<bigint, bigint>()
  for (const vote of judged) {
    if (vote === undefined || !isActive(vote.keyHash)) continue
    // A later vote for an undefined option still supersedes: the key's last word is what counts.
    latest.set(vote.keyHash, vote.option)
  }
  const counts: Record<string, number> = {}
  for (let option = 0; option < voteOptions; option++) counts[String(option)] = 0
  let counted = 0
  for (const option of latest.values()) {
    if (option >= BigInt(voteOptions)) continue
    counts[option.toString()]++
    counted++
  }
  return { counts, countedVotes: counted, ignoredVotes: judged.length - counted }
}
