/** Where each role keeps its files: the default data directory, and the files inside one. */
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * The user's data home, per the XDG Base Directory spec: $XDG_DATA_HOME if it is an absolute
 * path (the spec says to ignore a relative one), else ~/.local/share. Used on every platform:
 * the daemons run on Linux, and one rule is easier to document than three.
 */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.XDG_DATA_HOME
  return configured !== undefined && isAbsolute(configured) ? configured : join(homedir(), '.local', 'share')
}

/** A role's data directory when neither --data-dir nor MACI_ANON_DATA_DIR is given: the same wherever the command runs. */
export function defaultDataDir(role: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'maci-anon', role)
}

export function dataPaths(dataDir: string) {
  return {
    /** The daemon's long-term libp2p key (operator, replica); a voter has none, it uses a fresh key per command. */
    peerKey: join(dataDir, 'peer.key'),
    /** The operator's LevelDB. */
    operatorState: join(dataDir, 'state'),
    /** The replica's LevelDB mirror of the operator's public data. */
    replicaMirror: join(dataDir, 'mirror'),
    /** The voter's encrypted keystore: keys, deactivation secrets, leaf indices. */
    voterKeystore: join(dataDir, 'voter.keystore'),
  }
}
