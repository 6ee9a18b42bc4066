/**
 * Issue 9, "Retries": an operator that deviates learns about a bit of the voter's inputs from
 * each session that fails once they are in it (whether and where the voter stops), so it
 * would make every session fail and wait for the voter to retry. The attack, against the
 * real CLI and a real operator process: the operator dies each time the voter's side reaches
 * the shared hash H(K, c, i), the first input-dependent phase. The voter must count those
 * sessions per deactivation and, past reactivationSessionLimit, run no more, before any
 * network step; a failure in the input-independent triples counts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, type DaemonProcess } from '../../scripts/lib/local-cluster.js'
import { runCli } from '../e2e/watched-cli.js'

const LIMIT = 2

describe('retries after aborts a deviating operator provokes', () => {
  let root: string
  let cluster: LocalCluster
  let operator: DaemonProcess
  let operatorEnv: Record<string, string>
  let voterEnv: Record<string, string>

  const failedSessions = async () => {
    const status = JSON.parse(await cluster.runOk(['--json', 'voter', 'status'], voterEnv)) as { deactivations: Array<{ failedSessions: number }> }
    return status.deactivations[0].failedSessions
  }

  /** One `voter reactivate`, with the operator killed when the voter's side reaches `phase`; the operator is started again after. */
  const abortedAt = async (phase: RegExp) => {
    const run = runCli(['voter', 'reactivate'], voterEnv)
    await run.waitFor(phase)
    expect(await operator.stop('SIGKILL')).toBe(null)
    const result = await run.done
    operator = await cluster.startDaemon('operator', ['operator', 'start'], operatorEnv)
    return result
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-retry-bound-'))
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
      MACI_ANON_REACTIVATION_SESSION_LIMIT: String(LIMIT),
    }
    for (const step of [['voter', 'keygen'], ['voter', 'signup'], ['voter', 'deactivate']]) await cluster.runOk(step, voterEnv)
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('a session broken in the triples, before any input is used, counts nothing', async () => {
    const result = await abortedAt(/2PC: Beaver triples/)
    expect(result.code).toBe(1)
    expect(result.stderr).not.toMatch(/after it used the deactivation's secret/)
    expect(await failedSessions()).toBe(0)
  })

  it('each session broken once the inputs are in counts, and says so', async () => {
    for (let session = 1; session <= LIMIT; session++) {
      const result = await abortedAt(/2PC: shared Poseidon/)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(new RegExp(`failed after it used the deactivation's secret: ${session} of at most ${LIMIT}`))
      expect(await failedSessions()).toBe(session)
    }
  })

  it('past the bound the voter runs no session at all, and says why', async () => {
    const result = await runCli(['voter', 'reactivate'], voterEnv).done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`has had ${LIMIT} reactivation sessions fail after they used its secret, the most allowed`))
    // Refused before the sync: no network step, so the operator gets no further look.
    expect(result.stderr).not.toMatch(/leaves; their root|confirmed by no replica|2PC/)
    expect(await failedSessions()).toBe(LIMIT)
  })

  it('raising the limit is the voter\'s own choice, and the session then runs to its end', async () => {
    const result = await runCli(['voter', 'reactivate'], { ...voterEnv, MACI_ANON_REACTIVATION_SESSION_LIMIT: String(LIMIT + 1) }).done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^reactivation submitted: /)
  })
})
