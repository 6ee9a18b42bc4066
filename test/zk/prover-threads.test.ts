/**
 * Concurrent first proofs or verifications in one process share one BN254 curve and its
 * worker pool (loadBn128): before, each built its own, the pools of all but one were never
 * ended, and the process (the operator bench) never exited.
 */
import { execFile } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('prover threads', () => {
  it('four verifications at once build one curve, and the process exits once they are released', async () => {
    const fixture = new URL('./fixtures/concurrent-verify.ts', import.meta.url).pathname
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], { timeout: 20_000 })
    const result = JSON.parse(stdout.trim()) as { verdicts: boolean[]; workers: number }
    expect(result.verdicts).toEqual([false, false, false, false])
    // One pool: ffjavascript starts one worker per core.
    expect(result.workers).toBe(availableParallelism())
  }, 30_000)
})
