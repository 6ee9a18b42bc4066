/**
 * Issue 12: voters turned away by a busy operator come back by themselves, soon (an honest
 * session takes seconds), spread out (so they do not return together), and never later
 * than the operator's own bound. The retry loop itself runs against a real operator in
 * test/attacks/lockout.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { busyBackoffMs } from '../../src/daemon/voter-client.js'

const samples = (attempt: number, retryAfterSeconds?: number) => Array.from({ length: 200 }, () => busyBackoffMs(attempt, retryAfterSeconds))

describe('busy backoff', () => {
  it('waits 1, 2, 4, then at most 8 s, each jittered down by up to half', () => {
    for (const [attempt, base] of [[0, 1_000], [1, 2_000], [2, 4_000], [3, 8_000], [9, 8_000]]) {
      const waits = samples(attempt)
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(base / 2)
      expect(Math.max(...waits)).toBeLessThanOrEqual(base)
      // Spread, not one fixed value: 200 draws over base/2 + 1 values.
      expect(new Set(waits).size).toBeGreaterThan(20)
    }
  })

  it("never waits past the operator's bound", () => {
    expect(Math.max(...samples(3, 2))).toBeLessThanOrEqual(2_000)
    expect(Math.max(...samples(0, 1))).toBeLessThanOrEqual(1_000)
    expect(Math.min(...samples(3, 60))).toBeGreaterThanOrEqual(4_000)
  })
})
