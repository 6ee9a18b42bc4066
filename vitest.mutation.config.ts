import { defineConfig } from 'vitest/config'

/**
 * The suites Stryker runs against each mutant (stryker.config.json): the in-process tests of
 * the mutated modules. Suites that spawn processes or start daemons are left out: a spawned
 * process does not see the active mutant, and they would multiply the run time.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/operator-state.test.ts',
      'test/crypto/keys.test.ts',
      'test/crypto/low-order-keys.test.ts',
      'test/crypto/verify-prechecks.test.ts',
      'test/crypto/signed-message.test.ts',
      'test/crypto/root-signature.test.ts',
      'test/operator/acceptance-matrix.test.ts',
      'test/operator/forged-signatures.test.ts',
      'test/operator/message-rules.test.ts',
      'test/attacks/constant-work.test.ts',
      'test/attacks/equal-commitment.test.ts',
      'test/attacks/garbage-deactivations.test.ts',
      'test/attacks/tally-tagging.test.ts',
      'test/attacks/split-view.test.ts',
      'test/daemon/voter-checks.test.ts',
      'test/daemon/voter-client-contract.test.ts',
      'test/reliability/busy-retry.test.ts',
      'test/reliability/concurrent-calls.test.ts',
      'test/reliability/restart.test.ts',
      'test/protocol/reactivation-session.test.ts',
      'test/protocol/session-masking.test.ts',
      'test/protocol/session-hello.test.ts',
      'test/zk/collaborative-groth16.test.ts',
      'test/zk/share-representation.test.ts',
      'test/malicious/public-wire-shift.test.ts',
      'test/malicious/deviating-operator.test.ts',
      'test/mpc/garbled.test.ts',
      'test/mpc/arithmetic.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
})
