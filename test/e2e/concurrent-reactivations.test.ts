/**
 * Issue 12, item 1 and its acceptance: voters reactivating at the same moment, each a real
 * `voter reactivate` process with its own keystore and a fresh identity, against a real
 * operator process. Six is more than the operator's four reactivation slots
 * (LIMITS.reactivate.maxSessions), so at least two are told "busy" and must come back by
 * themselves. Every process must exit 0, and every attempt must be recorded once.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster } from '../../scripts/lib/local-cluster.js'
import { LIMITS } from '../../src/protocol/ids.js'

const VOTERS = 6

describe(`${VOTERS} voter reactivate processes at once`, () => {
  let root: string
  let cluster: LocalCluster
  let operatorEnv: Record<string, string>
  const voterEnv: Array<Record<string, string>> = []

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-concurrent-reactivations-'))
    cluster = new LocalCluster()
    const port = await freePort()
    operatorEnv = { MACI_ANON_DATA_DIR: join(root, 'operator'), MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}` }
    await cluster.startDaemon('operator', ['operator', 'start', '--init'], operatorEnv)
    for (let i = 0; i < VOTERS; i++) {
      voterEnv.push({
        MACI_ANON_DATA_DIR: join(root, `voter-${i}`),
        MACI_ANON_OPERATOR: `/ip4/127.0.0.1/tcp/${port}`,
        MACI_ANON_PASSPHRASE: 'test-only-passphrase',
        MACI_ANON_ANONYMITY_SET: '0',
        MACI_ANON_REACTIVATION_DELAY_MAX_MS: '0',
        MACI_ANON_ALLOW_SINGLE_SOURCE: 'true',
      })
    }
    await Promise.all(
      voterEnv.map(async (env) => {
        for (const step of [['voter', 'keygen'], ['voter', 'signup'], ['voter', 'deactivate']]) await cluster.runOk(step, env)
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('all succeed, and every process exits', async () => {
    expect(VOTERS).toBeGreaterThan(LIMITS.reactivate.maxSessions)
    const runs = await Promise.all(voterEnv.map((env) => cluster.run(['voter', 'reactivate'], env)))
    for (const run of runs) {
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^reactivation submitted: /)
    }
    // More voters than slots: some were turned away, said so, and came back.
    expect(runs.filter((run) => /operator busy .*trying again in/.test(run.stderr)).length).toBeGreaterThanOrEqual(1)
    const status = JSON.parse(await cluster.runOk(['--json', 'operator', 'status'], operatorEnv)) as { reactivationAttempts: number }
    expect(status.reactivationAttempts).toBe(VOTERS)
    for (const env of voterEnv) {
      const voter = JSON.parse(await cluster.runOk(['--json', 'voter', 'status'], env)) as { deactivations: Array<{ reactivatedAs?: number }> }
      expect(voter.deactivations).toHaveLength(1)
      expect(voter.deactivations[0].reactivatedAs).toBeDefined()
    }
  }, 300_000)
})
