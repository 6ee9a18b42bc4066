/** Where each role keeps its files inside its data directory. */
import { join } from 'node:path'

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
