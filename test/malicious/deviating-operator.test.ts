/**
 * Issue 9, "a deviating-operator harness": an operator that deviates in the reactivation
 * 2PC, each strategy corrupting one thing, against the real voter session (in-memory
 * channels, the real prover and verifier). For each strategy three voters run a session:
 * two with real leaves (different secrets) and one with a random leaf. The operator's view
 * is what it can observe: the shape of every frame it receives, whether and where the
 * session stops, and whether the proof it ends up with verifies against the public signals
 * it used.
 *
 * What the version 1 protocol guarantees against these strategies, and what this checks:
 * - every strategy leaves the voter's side unchanged in shape: the same frames, no abort;
 * - the strategies whose effect does not hinge on a wire value (an OT message of the
 *   triples, a Beaver opening of the shared hash, an opening of the proof's points, a
 *   session run with another key) give a failed proof for all three voters;
 * - a garbled table row and the conversion's OT message change the outcome only through
 *   values the operator itself chose or holds: for a real leaf the voter's circuit input is
 *   u = leaf - h_V = h_O, the operator's own share, and a random leaf fails whatever the
 *   circuit says, because its witness satisfies no constraint system. Here the random leaf
 *   must fail, and nobody may abort.
 * What it does not cover is in docs/SECURITY.md: an operator that plants a leaf under another
 * key for one target, then runs a session with that key, learns whether the session is that
 * target's; only authenticated shares close that (version 2).
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { makeDeactivation, type Deactivation } from '../../src/core/voter.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import type { ReactivationPhase } from '../../src/core/reactivation/options.js'
import { Operator } from '../../src/daemon/operator.js'
import type { Channel } from '../../src/mpc/channel.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { MessageTag } from '../../src/mpc/session.js'
import { runVoterSession } from '../../src/protocol/reactivate.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { loadBn128 } from '../../src/zk/zkey.js'
import { prepareAgainst, temporaryDirectory } from '../operator/helpers.js'
import { corruptingChannel } from './helpers/corrupting-channel.js'

/** The key commitment the deviating operator's prover puts in the public wires, when set. */
const publicWires = vi.hoisted(() => ({ keyCommitment: undefined as bigint | undefined }))
vi.mock('../../src/core/reactivation/joint-proof.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/reactivation/joint-proof.js')>()
  return {
    ...original,
    jointlyProve: (...[session, loaded, preprocessing, own, signals, onPhase]: Parameters<typeof original.jointlyProve>) => {
      const substitute = own.party === 'operator' ? publicWires.keyCommitment : undefined
      return original.jointlyProve(session, loaded, preprocessing, own, substitute === undefined ? signals : [signals[0], substitute], onPhase)
    },
  }
})

/**
 * When set, the operator's prover computes with its own share of the KC wire (w[2]) at
 * `delta` (helpers/public-wire-shift.ts): the adaptive form of the planted-leaf attack.
 */
const ownKcShare = vi.hoisted(() => ({ how: undefined as { delta: bigint; openedA: boolean; piAAfter: boolean } | undefined }))
vi.mock('../../src/zk/collaborative-groth16.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/zk/collaborative-groth16.js')>()
  return {
    ...original,
    proveCollaboratively: async (...[zkey, r1cs, witness, arithmetic, options]: Parameters<typeof original.proveCollaboratively>) => {
      const how = arithmetic.party === 0 ? ownKcShare.how : undefined
      if (how === undefined) return original.proveCollaboratively(zkey, r1cs, witness, arithmetic, options)
      const { shiftingArithmetic, withShiftedPiA } = await import('./helpers/public-wire-shift.js')
      const shift = { wire: 2, delta: how.delta, openedA: how.openedA }
      const share = await original.proveCollaboratively(zkey, r1cs, witness, await shiftingArithmetic(arithmetic, zkey, r1cs, shift), options)
      return how.piAAfter ? withShiftedPiA(share, zkey, shift) : share
    },
  }
})

afterAll(() => releaseProverThreads())

/** One change the operator makes to the first frame it sends with `tag`, from phase `from` on. */
interface FrameStrategy {
  tag: number
  from: ReactivationPhase
  corrupt: (frame: Uint8Array) => void
}

/** The operator's channel: every received frame's phase, tag and length noted, one sent frame changed. */
function deviatingChannel(channel: Channel, strategy: FrameStrategy | undefined, phase: () => ReactivationPhase) {
  const received: string[] = []
  const deviating = corruptingChannel(channel, {
    tag: strategy?.tag ?? -1,
    corrupt: (frame) => strategy?.corrupt(frame),
    armed: () => strategy !== undefined && reached(phase(), strategy.from),
    onReceive: (frame) => {
      // MPC frames start with their tag; the hello and the sealed submission are opaque bytes.
      const inMpc = phase() !== 'handshake' && phase() !== 'submit'
      received.push(inMpc ? `${phase()} ${frame[0]}:${frame.length}` : `${phase()} ${frame.length}`)
    },
  })
  return Object.assign(deviating, { received })
}

const PHASES: ReactivationPhase[] = ['handshake', 'triples', 'shared-hash', 'validity-bit', 'proof', 'submit']
const reached = (current: ReactivationPhase, from: ReactivationPhase) => PHASES.indexOf(current) >= PHASES.indexOf(from)

/** Field elements travel as 8 little-endian 32-bit limbs: flipping bit 0 of byte 0 moves one by one. */
const FIELD_BYTES = 32
const nudge = (frame: Uint8Array, element: number) => {
  frame[1 + element * FIELD_BYTES] ^= 1
}

/** What the operator observed of one session. */
interface OperatorView {
  received: string[]
  corrupted: boolean
  outcome: { aborted: string } | { verifies: boolean }
  /** Not the operator's: which check of the voter stopped the session, for the test to name the cause. */
  voterCheck?: string
}

type Voter = 'real' | 'otherReal' | 'randomLeaf'
const VOTERS: Voter[] = ['real', 'otherReal', 'randomLeaf']

describe('an operator that deviates in the 2PC: its view is the same in kind whatever the voter holds', () => {
  let operator: Operator
  let cleanup: () => Promise<void>
  const pending: Array<Record<Voter, { deactivation: Deactivation; index: number }>> = []

  /** A fresh set of the three voters: each session spends its deactivation's nullifier. */
  async function threeVoters(): Promise<Record<Voter, { deactivation: Deactivation; index: number }>> {
    const deactivate = async (deactivation: Deactivation) => ({ deactivation, index: (await operator.submitDeactivation(deactivation.ciphertext)).index })
    const keys = [generateKeypair(), generateKeypair(), generateKeypair()]
    for (const key of keys) await operator.signup(key.publicKey)
    const params = operator.publicParameters()
    const real = await deactivate(makeDeactivation(keys[0], params))
    const otherReal = await deactivate(makeDeactivation(keys[1], params))
    // A key that is no longer active gets a uniformly random leaf for its second deactivation.
    await deactivate(makeDeactivation(keys[2], params))
    const randomLeaf = await deactivate(makeDeactivation(keys[2], params))
    return { real, otherReal, randomLeaf }
  }

  /** One session of `voter`, the operator deviating by `strategy` and `backend`; the operator's view. */
  async function session(voter: { deactivation: Deactivation; index: number }, strategy?: FrameStrategy, backend: Operator = operator): Promise<OperatorView> {
    const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 60_000 })
    let phase: ReactivationPhase = 'handshake'
    const deviating = deviatingChannel(operatorChannel, strategy, () => phase)
    const prepared = prepareAgainst(backend, voter.deactivation.secret, voter.index)
    const [served, answered] = await Promise.allSettled([
      serveReactivation(deviating, backend, { onPhase: (next) => (phase = next) }).finally(() => operatorChannel.close()),
      runVoterSession(voterChannel, prepared).finally(() => voterChannel.close()),
    ])
    if (served.status === 'rejected') {
      const voterCheck = answered.status === 'rejected' ? (answered.reason as { check?: string }).check : undefined
      return { received: deviating.received, corrupted: deviating.corrupted, outcome: { aborted: String((served.reason as { code?: string }).code) }, voterCheck }
    }
    // The voter ends with the same acknowledgement whatever the operator did.
    expect(answered.status).toBe('fulfilled')
    const record = await operator.reactivationRecord(served.value.attempt)
    return { received: deviating.received, corrupted: deviating.corrupted, outcome: { verifies: await verifyProof('leaf_opening', record.leafOpening) } }
  }

  async function viewsOf(strategy?: FrameStrategy, backend?: Operator): Promise<Record<Voter, OperatorView>> {
    const voters = pending.shift() ?? (await threeVoters())
    const views = {} as Record<Voter, OperatorView>
    for (const voter of VOTERS) views[voter] = await session(voters[voter], strategy, backend)
    // The voter's frames have one shape whatever its inputs and whatever the operator did.
    expect(views.otherReal.received).toEqual(views.real.received)
    expect(views.randomLeaf.received).toEqual(views.real.received)
    if (strategy !== undefined) for (const voter of VOTERS) expect(views[voter].corrupted).toBe(true)
    return views
  }

  const failsForAll = (views: Record<Voter, OperatorView>) => {
    for (const voter of VOTERS) expect(views[voter].outcome).toEqual({ verifies: false })
  }

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    cleanup = temp.remove
    await Operator.initialize(`${temp.path}/operator`)
    operator = await Operator.open(`${temp.path}/operator`)
    // Every set is deactivated before any session, so that the anonymity sets and roots are settled.
    for (let set = 0; set < 10; set++) pending.push(await threeVoters())
  })
  afterAll(async () => {
    await operator.close()
    await cleanup()
  })

  it('the control: an honest operator verifies both real leaves and not the random one, the intended bit b', async () => {
    const views = await viewsOf()
    expect(views.real.outcome).toEqual({ verifies: true })
    expect(views.otherReal.outcome).toEqual({ verifies: true })
    expect(views.randomLeaf.outcome).toEqual({ verifies: false })
    // The view spans the whole session: the voter sends in every phase.
    expect(new Set(views.real.received.map((entry) => entry.split(' ')[0]))).toEqual(new Set(PHASES))
  })

  it('an OT message of the triples (every OLE correction of one frame off by one): a failed proof for every voter', async () => {
    const corrupt = (frame: Uint8Array) => {
      for (let element = 0; 1 + element * FIELD_BYTES < frame.length; element++) nudge(frame, element)
    }
    failsForAll(await viewsOf({ tag: MessageTag.oleCorrections, from: 'triples', corrupt }))
  })

  it('a Beaver opening of the shared hash off by one: a failed proof for every voter', async () => {
    failsForAll(await viewsOf({ tag: MessageTag.openedShares, from: 'shared-hash', corrupt: (frame) => nudge(frame, 0) }))
  })

  it("an opening of the proof's points (its pi_a share swapped for another valid point): every voter stops at the pi_a share check", async () => {
    const { G1 } = await loadBn128()
    const generator = G1.toAffine(G1.g)
    const views = await viewsOf({ tag: MessageTag.openedPoints, from: 'proof', corrupt: (frame) => frame.set(generator, 1) })
    // The voter refuses before its C* share leaves: the operator sees the stream close in the proof phase.
    for (const voter of VOTERS) expect(views[voter]).toMatchObject({ outcome: { aborted: 'CLOSED' }, voterCheck: 'A_SHARE_REPRESENTATION' })
    expect(views.real.received.at(-1)).toMatch(/^proof /)
  })

  it('a session run with another key K\', kappa\' and KC\' = H(K\', kappa\') in the public wires: junk against KC\' for every voter', async () => {
    const K = randomFieldElement()
    const kappa = randomFieldElement()
    const substituted = Object.assign(Object.create(operator) as Operator, { leafKeySecrets: () => ({ K, kappa }) })
    publicWires.keyCommitment = poseidon([K, kappa])
    try {
      failsForAll(await viewsOf(undefined, substituted))
    } finally {
      publicWires.keyCommitment = undefined
    }
  })

  /**
   * A leaf planted under a second key K_t. The operator's own key plays K_t: the real leaves
   * of this tree are under it. The voters are told another KC, the "published" one of a key
   * whose leaves the operator would give everyone else, and the operator runs the session
   * with K_t and checks the proof against KC_t; `how` adds its own share of the KC wire.
   */
  async function plantedLeafViews(how?: { openedA: boolean; piAAfter: boolean }): Promise<Record<Voter, OperatorView>> {
    const planted = operator.publicParameters().keyCommitment
    const published = { ...operator.publicParameters(), keyCommitment: randomFieldElement() }
    const backend = Object.assign(Object.create(operator) as Operator, { publicParameters: () => published })
    publicWires.keyCommitment = planted
    ownKcShare.how = how === undefined ? undefined : { ...how, delta: Fr.sub(planted, published.keyCommitment) }
    try {
      return await viewsOf(undefined, backend)
    } finally {
      publicWires.keyCommitment = undefined
      ownKcShare.how = undefined
    }
  }

  it('a leaf planted under a second key: a session run with that key and its KC in the public wires is junk for the voters it was planted for', async () => {
    // Before the voter held the public wires, the two voters with leaves under K_t got a
    // proof that verified against KC_t and the random leaf did not: the session named its voter.
    failsForAll(await plantedLeafViews())
  })

  it('a planted leaf, the operator computing with its own share of the KC wire, the opened pi_a share included: every voter stops at the pi_a share check', async () => {
    // With the voter's check skipped this shift gives a proof of KC_t (public-wire-shift.test.ts).
    const views = await plantedLeafViews({ openedA: true, piAAfter: false })
    for (const voter of VOTERS) expect(views[voter]).toMatchObject({ outcome: { aborted: 'CLOSED' }, voterCheck: 'A_SHARE_REPRESENTATION' })
  })

  it('a planted leaf, the operator computing with its own share of the KC wire but an honest pi_a opening, pi_a moved afterwards: junk for every voter', async () => {
    failsForAll(await plantedLeafViews({ openedA: false, piAAfter: true }))
  })

  it('one garbled table row changed: nobody aborts, and the random leaf still fails', async () => {
    // One bit of one AND gate's table, past the garbler's input labels: whether the voter's
    // evaluation meets it depends on wire values that, for a real leaf, the operator holds.
    const corrupt = (frame: Uint8Array) => {
      frame[frame.length - 1 - randomBytes(1)[0]] ^= 1
    }
    const views = await viewsOf({ tag: MessageTag.garbledCircuit, from: 'validity-bit', corrupt })
    for (const voter of VOTERS) expect(views[voter].outcome).not.toHaveProperty('aborted')
    expect(views.randomLeaf.outcome).toEqual({ verifies: false })
  })

  it("the conversion's OT message (the bit's OLE correction off by one): nobody aborts, and the random leaf still fails", async () => {
    const views = await viewsOf({ tag: MessageTag.oleCorrections, from: 'validity-bit', corrupt: (frame) => nudge(frame, 0) })
    for (const voter of VOTERS) expect(views[voter].outcome).not.toHaveProperty('aborted')
    expect(views.randomLeaf.outcome).toEqual({ verifies: false })
  })
})
