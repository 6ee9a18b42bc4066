/**
 * The junk masking C* = C + (1 - b) mu G1 at the session level (issue 14), with the
 * randomness pinned. r and s alone already make every C different, so "a fresh C each run"
 * holds with or without masking; here both parties' r and s shares are fixed, and the same
 * prepared reactivation (same rho, so the same witness) runs twice on copies of one operator
 * state. Then C can differ between two runs only through mu, and must differ by exactly
 * (mu_1 - mu_2) G1 for a random leaf, and not at all for a real one.
 */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { Operator } from '../../src/daemon/operator.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../../src/core/reactivation/voter-session.js'
import { runVoterSession } from '../../src/protocol/reactivate.js'
import { BeaverArithmetic } from '../../src/zk/beaver-arithmetic.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { loadBn128, type Bn128 } from '../../src/zk/zkey.js'
import { temporaryDirectory } from '../operator/helpers.js'

afterAll(() => releaseProverThreads())

/** Each party's pinned shares of r and s. */
const pinned = { r: [randomFieldElement(), randomFieldElement()], s: [randomFieldElement(), randomFieldElement()] }
/** The mu shares handed out, one per party per session, in order. */
let muShares: bigint[] = []

// The collaborative prover draws (r, s, mu) with one call for three scalars; the shared
// Poseidon draws its power tuples with other counts, which stay random.
const original = BeaverArithmetic.prototype.randomScalars
vi.spyOn(BeaverArithmetic.prototype, 'randomScalars').mockImplementation(function (this: BeaverArithmetic, count: number) {
  if (count !== 3) return original.call(this, count)
  const mu = randomFieldElement()
  muShares.push(mu)
  return [pinned.r[this.party], pinned.s[this.party], mu]
})

interface Run {
  /** What the voter sent and received during the validity-bit phase (equality circuit and bit conversion). */
  validityBitTraffic: { sent: number; received: number }
  activated: boolean
  piA: string[]
  piC: string[]
  verifies: boolean
  mu: bigint
}

describe('C* masking in the reactivation session, randomness pinned', () => {
  let workspace: string
  let remove: () => Promise<void>
  let curve: Bn128
  let copies = 0
  const prepared: Partial<Record<'real' | 'random', PreparedReactivation>> = {}

  /** One session on a fresh copy of the template state, reusing the prepared reactivation. */
  async function runOnCopy(kind: 'real' | 'random'): Promise<Run> {
    const directory = join(workspace, `copy-${copies++}`)
    await cp(join(workspace, 'template'), directory, { recursive: true })
    const operator = await Operator.open(directory)
    try {
      muShares = []
      const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 60_000 })
      const marks: Partial<Record<string, { sent: number; received: number }>> = {}
      const onPhase = (phase: string) => {
        marks[phase] = { sent: voterChannel.stats.bytesSent, received: voterChannel.stats.bytesReceived }
      }
      const [outcome] = await Promise.all([serveReactivation(operatorChannel, operator), runVoterSession(voterChannel, prepared[kind]!, { onPhase })])
      expect(muShares).toHaveLength(2)
      const { leafOpening } = await operator.reactivationRecord(0)
      const [start, end] = [marks['validity-bit']!, marks.proof!]
      return {
        validityBitTraffic: { sent: end.sent - start.sent, received: end.received - start.received },
        activated: outcome.activated,
        piA: leafOpening.proof.pi_a,
        piC: leafOpening.proof.pi_c,
        verifies: await verifyProof('leaf_opening', leafOpening),
        mu: (muShares[0] + muShares[1]) % Fr.ORDER,
      }
    } finally {
      await operator.close()
    }
  }

  beforeAll(async () => {
    ;({ path: workspace, remove } = await temporaryDirectory())
    curve = await loadBn128()
    const template = join(workspace, 'template')
    await Operator.initialize(template)
    const operator = await Operator.open(template)
    try {
      const [real, other] = [generateKeypair(), generateKeypair()]
      await operator.signup(real.publicKey)
      await operator.signup(other.publicKey)
      const params = operator.publicParameters()
      const realDeactivation = makeDeactivation(real, params)
      const realIndex = (await operator.submitDeactivation(realDeactivation.ciphertext)).index
      // A second deactivation of a key already deactivated gets a random leaf.
      await operator.submitDeactivation(makeDeactivation(other, params).ciphertext)
      const randomDeactivation = makeDeactivation(other, params)
      const randomIndex = (await operator.submitDeactivation(randomDeactivation.ciphertext)).index
      const leaves = operator.leaves(0, operator.status().deactivations)
      for (const [kind, deactivation, leafIndex] of [['real', realDeactivation, realIndex], ['random', randomDeactivation, randomIndex]] as const) {
        prepared[kind] = prepareVoterReactivation({ secret: deactivation.secret, leafIndex, leaves, newPublicKey: generateKeypair().publicKey, params, deactivatedUnder: params.keyCommitment })
        await prepared[kind]!.membership
      }
    } finally {
      await operator.close()
    }
  })
  afterAll(() => remove())

  const point = (coordinates: string[]) => curve.G1.fromObject(coordinates.map(BigInt))

  it('a real leaf: the proof verifies, and with r and s fixed two runs give the same C', async () => {
    const first = await runOnCopy('real')
    const second = await runOnCopy('real')
    expect([first.activated, second.activated]).toEqual([true, true])
    expect([first.verifies, second.verifies]).toEqual([true, true])
    expect(first.mu).not.toBe(second.mu)
    expect(second.piA).toEqual(first.piA)
    expect(second.piC).toEqual(first.piC)
  })

  it('the operator garbles the validity-bit circuit: its tables flow to the voter, not from it', async () => {
    // A garbler chooses the circuit it garbles: a voter garbling "always equal" would turn
    // the mask off for a random leaf. So the voter must be the evaluator.
    // The evaluator receives the 253 AND tables and 254 garbler labels (12,160 bytes) and sends
    // the IKNP columns and its answer to the KOS15 check (7,202 bytes) and the bit conversion's
    // one OT (3,618 bytes); a garbling voter would receive about 7.3 kB in all.
    const { validityBitTraffic } = await runOnCopy('random')
    expect(validityBitTraffic.received).toBeGreaterThan(32 * 253 + 16 * 254)
    expect(validityBitTraffic.received).toBeGreaterThan(validityBitTraffic.sent)
  })

  it('a random leaf: two runs differ in C by exactly (mu_1 - mu_2) G1, and neither verifies', async () => {
    const first = await runOnCopy('random')
    const second = await runOnCopy('random')
    expect([first.activated, second.activated]).toEqual([false, false])
    expect([first.verifies, second.verifies]).toEqual([false, false])
    // Same r, s and witness: pi_a is the same, so only the mask can move C.
    expect(second.piA).toEqual(first.piA)
    expect(second.piC).not.toEqual(first.piC)
    const difference = curve.G1.add(point(first.piC), curve.G1.neg(point(second.piC)))
    const mask = curve.G1.timesFr(curve.G1.g, curve.Fr.e((first.mu - second.mu + Fr.ORDER) % Fr.ORDER))
    expect(curve.G1.eq(difference, mask)).toBe(true)
  })
})
