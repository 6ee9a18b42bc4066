/**
 * Issue 12, items 2 and 3, with the real CLI against a real operator process (LevelDB, TCP,
 * Noise): a `voter reactivate` whose session fails exits with status 1 within seconds, and
 * a failure the operator cannot have recorded (the session broke before the sealed
 * submission was sent, or the hello was refused) leaves the deactivation usable and the
 * keystore without the unused key. The old CLI kept the key and marked the deactivation
 * used, so a plain `voter reactivate` then said there was nothing left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deactivatedVoter, type DeactivatedVoter } from './deactivated-voter.js'
import { runCli } from './watched-cli.js'

describe('voter reactivate after a failed session', () => {
  let bed: DeactivatedVoter

  const status = async () =>
    JSON.parse(await bed.cluster.runOk(['--json', 'voter', 'status'], bed.voterEnv)) as {
      keys: Array<{ origin: string }>
      deactivations: Array<{ reactivatedAs?: number }>
    }

  beforeAll(async () => {
    bed = await deactivatedVoter('reactivation-failures')
  })

  afterAll(() => bed.remove())

  it('exits 1 within seconds when the operator dies mid-session, and keeps the deactivation usable', async () => {
    const run = runCli(['voter', 'reactivate'], bed.voterEnv)
    // In the 2PC, long before the sealed submission: the operator can record nothing.
    await run.waitFor(/2PC: Beaver triples/)
    expect(await bed.operator.stop('SIGKILL')).toBe(null)
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
    await bed.restartOperator()
    const result = await runCli(['voter', 'reactivate'], bed.voterEnv).done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^reactivation submitted: /)
    const after = await status()
    expect(after.keys.map((key) => key.origin)).toEqual(['keygen', 'reactivation'])
    expect(after.deactivations[0].reactivatedAs).toBe(1)
  })

  it('exits 1 at once on a refused hello and leaves the keystore as it was', async () => {
    // The nullifier is spent now: the hello is refused openly (NULLIFIER_USED).
    const started = Date.now()
    const result = await runCli(['voter', 'reactivate', '--deactivation', '0'], bed.voterEnv).done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/NULLIFIER_USED/)
    expect(result.exitedAt - started).toBeLessThan(60_000)
    const after = await status()
    expect(after.keys).toHaveLength(2)
    expect(after.deactivations[0].reactivatedAs).toBe(1)
  })
})
