/**
 * Issue 12, items 2 and 3, with the real CLI against a real operator process (LevelDB, TCP,
 * Noise): a `voter reactivate` whose session fails exits with status 1 within seconds, and
 * a failure the operator cannot have recorded (the session broke before the sealed
 * submission was sent, or the hello was refused) leaves the deactivation usable and the
 * keystore without the unused key. The old CLI kept the key and marked the deactivation
 * used, so a plain `voter reactivate` then said there was nothing left.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, type DaemonProcess } from '../../scripts/lib/local-cluster.js'
import { runCli } from './watched-cli.js'

describe('voter reactivate after a failed session', () => {
  let root: string
  let cluster: LocalCluster
  let operator: DaemonProcess
  let operatorEnv: Record<string, string>
  let voterEnv: Record<string, string>

  const status = async () =>
    JSON.parse(await cluster.runOk(['--json', 'voter', 'status'], voterEnv)) as {
      keys: Array<{ origin: string }>
      deactivations: Array<{ reactivatedAs?: number }>
    }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-reactivation-failures-'))
    cluster = new LocalCluster()
    const port = await freePort()
    operatorEnv = { MACI_ANON_DATA_DIR: join(root, 'operator'), MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}` }
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], operatorEnv)
    voterEnv = {
      MACI_ANON_DATA_DIR: join(root, 'voter'),
      MACI_ANON_OPERATOR: `/ip4/127.0.0.1/tcp/${port}`,
      MACI_ANON_PASSPHRASE: 'test-only-passphrase',
      MACI_ANON_ANONYMITY_SET: '0',
      MACI_ANON_REACTIVATION_DELAY_MAX_MS: '0',
      MACI_ANON_ALLOW_SINGLE_SOURCE: 'true',
    }
    for (const step of [['voter', 'keygen'], ['voter', 'signup'], ['voter', 'deactivate']]) await cluster.runOk(step, voterEnv)
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('exits 1 within seconds when the operator dies mid-session, and keeps the deactivation usable', async () => {
    const run = runCli(['voter', 'reactivate'], voterEnv)
    // In the 2PC, long before the sealed submission: the operator can record nothing.
    await run.waitFor(/2PC: Beaver triples/)
    expect(await operator.stop('SIGKILL')).toBe(null)
    const killedAt = Date.now()
    const result = await run.done
    expect(result.code).toBe(1)
    expect(result.exitedAt - killedAt).toBeLessThan(10_000)
    expect(result.stderr).toMatch(/the deactivation is still usable/)
    const after = await status()
    expect(after.keys).toHaveLength(1)
    expect(after.deactivations).toHaveLength(1)
    expect(after.deactivations[0].reactivatedAs).toBeUndefined()
  })

  it('then reactivates that deactivation with a plain voter reactivate', async () => {
    operator = await cluster.startDaemon('operator', ['operator', 'start'], operatorEnv)
    const result = await runCli(['voter', 'reactivate'], voterEnv).done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^reactivation submitted: /)
    const after = await status()
    expect(after.keys.map((key) => key.origin)).toEqual(['keygen', 'reactivation'])
    expect(after.deactivations[0].reactivatedAs).toBe(1)
  })

  it('exits 1 at once on a refused hello and leaves the keystore as it was', async () => {
    // The nullifier is spent now: the hello is refused openly (NULLIFIER_USED).
    const started = Date.now()
    const result = await runCli(['voter', 'reactivate', '--deactivation', '0'], voterEnv).done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/NULLIFIER_USED/)
    expect(result.exitedAt - started).toBeLessThan(60_000)
    const after = await status()
    expect(after.keys).toHaveLength(2)
    expect(after.deactivations[0].reactivatedAs).toBe(1)
  })
})
