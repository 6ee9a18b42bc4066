/**
 * Where a CLI reactivation test starts: a real operator process (LevelDB, TCP, Noise) and one
 * voter whose key the real CLI has generated, signed up and deactivated.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, LocalCluster, type DaemonProcess } from '../../scripts/lib/local-cluster.js'

export interface DeactivatedVoter {
  cluster: LocalCluster
  /** The operator process running now; `restartOperator` replaces it. */
  operator: DaemonProcess
  operatorEnv: Record<string, string>
  /** The voter's environment: the test's passphrase, no anonymity set, no delay, no replica needed. */
  voterEnv: Record<string, string>
  /** Starts the operator again on its directory and port, after the test stopped or killed it. */
  restartOperator(): Promise<void>
  remove(): Promise<void>
}

/** `name` names the temporary directory; `voterSettings` add to or override the voter's environment. */
export async function deactivatedVoter(name: string, voterSettings: Record<string, string> = {}): Promise<DeactivatedVoter> {
  const root = await mkdtemp(join(tmpdir(), `maci-anon-${name}-`))
  const cluster = new LocalCluster()
  const port = await freePort()
  const operatorEnv = { MACI_ANON_DATA_DIR: join(root, 'operator'), MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}` }
  const voterEnv = {
    MACI_ANON_DATA_DIR: join(root, 'voter'),
    MACI_ANON_OPERATOR: `/ip4/127.0.0.1/tcp/${port}`,
    MACI_ANON_PASSPHRASE: 'test-only-passphrase',
    MACI_ANON_ANONYMITY_SET: '0',
    MACI_ANON_REACTIVATION_DELAY_MAX_MS: '0',
    MACI_ANON_ALLOW_SINGLE_SOURCE: 'true',
    ...voterSettings,
  }
  const bed: DeactivatedVoter = {
    cluster,
    operator: await cluster.startDaemon('operator', ['operator', 'start', '--init'], operatorEnv),
    operatorEnv,
    voterEnv,
    restartOperator: async () => {
      bed.operator = await cluster.startDaemon('operator', ['operator', 'start'], operatorEnv)
    },
    remove: async () => {
      await cluster.stopAll()
      await rm(root, { recursive: true, force: true })
    },
  }
  for (const step of [['voter', 'keygen'], ['voter', 'signup'], ['voter', 'deactivate']]) await cluster.runOk(step, voterEnv)
  return bed
}
