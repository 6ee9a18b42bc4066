/**
 * Issue 9, "Retries": an operator that deviates learns about a bit of the voter's inputs from
 * each session that fails once they are in it (whether and where the voter stops), so it
 * would make every session fail and wait for the voter to retry. The attack, against the
 * real CLI and a real operator process: the operator dies each time the voter's side reaches
 * the shared hash H(K, c, i), the first input-dependent phase. The voter must count those
 * sessions per deactivation and, past reactivationSessionLimit, run no more, before any
 * network step; a failure in the input-independent triples counts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deactivatedVoter, type DeactivatedVoter } from '../e2e/deactivated-voter.js'
import { runCli } from '../e2e/watched-cli.js'

const LIMIT = 2

describe('retries after aborts a deviating operator provokes', () => {
  let bed: DeactivatedVoter

  const failedSessions = async () => {
    const status = JSON.parse(await bed.cluster.runOk(['--json', 'voter', 'status'], bed.voterEnv)) as { deactivations: Array<{ failedSessions: number }> }
    return status.deactivations[0].failedSessions
  }

  /** One `voter reactivate`, with the operator killed when the voter's side reaches `phase`; the operator is started again after. */
  const abortedAt = async (phase: RegExp) => {
    const run = runCli(['voter', 'reactivate'], bed.voterEnv)
    await run.waitFor(phase)
    expect(await bed.operator.stop('SIGKILL')).toBe(null)
    const result = await run.done
    await bed.restartOperator()
    return result
  }

  beforeAll(async () => {
    bed = await deactivatedVoter('retry-bound', { MACI_ANON_REACTIVATION_SESSION_LIMIT: String(LIMIT) })
  })

  afterAll(() => bed.remove())

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
    const result = await runCli(['voter', 'reactivate'], bed.voterEnv).done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`has had ${LIMIT} reactivation sessions fail after they used its secret, the most allowed`))
    // Refused before the sync: no network step, so the operator gets no further look.
    expect(result.stderr).not.toMatch(/leaves; their root|confirmed by no replica|2PC/)
    expect(await failedSessions()).toBe(LIMIT)
  })

  it('raising the limit is the voter\'s own choice, and the session then runs to its end', async () => {
    const result = await runCli(['voter', 'reactivate'], { ...bed.voterEnv, MACI_ANON_REACTIVATION_SESSION_LIMIT: String(LIMIT + 1) }).done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^reactivation submitted: /)
  })
})
