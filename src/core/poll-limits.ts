/**
 * The fixed limits of a poll, in a module that imports nothing: configuration loading
 * (src/daemon/config.ts, run by every `--help`) reads them without loading any crypto.
 */

/** The only depth the committed membership circuit is built for (circuits/, build/). */
export const DEFAULT_TREE_DEPTH = 20
/** A poll's options are 0 .. voteOptions - 1 unless `operator init` says otherwise. */
export const DEFAULT_VOTE_OPTIONS = 4
/** Most options a poll may define: the tally lists every one of them. */
export const MAX_VOTE_OPTIONS = 1024
