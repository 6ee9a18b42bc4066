/**
 * The attack the voter's public wires close, on the prover alone (test dealer, no session):
 * an operator that computes with its own share of the KC wire, so that the proof is of its
 * statement (KC) rather than the voter's (another KC). With every shift in place the proof
 * verifies against the operator's statement; that is what an operator holding the public
 * wires could do, and what the harness's strategy tries against the real voter. The shift
 * of the opened pi_a share is what the pi_a share proof refuses; without it, or with pi_a
 * moved after the opening, the proof is junk.
 */
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { combineProofShares, proveCollaboratively } from '../../src/zk/collaborative-groth16.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { readR1cs, type ParsedR1cs } from '../../src/zk/r1cs.js'
import { commitRepresentation, proveRepresentation, ShareRepresentationError, verifyRepresentation } from '../../src/zk/share-representation.js'
import { loadBn128, readZkey, type ParsedZkey } from '../../src/zk/zkey.js'
import { clearWitness, leafOpening, publicSignalsOf, splitShares, validInputs } from '../zk/helpers/leaf-opening.js'
import { TestDealerArithmetic, TestTripleDealer } from '../zk/helpers/test-dealer-arithmetic.js'
import { verificationKeyFromZkey } from '../zk/helpers/verification-key.js'
import { shiftingArithmetic, withShiftedPiA } from './helpers/public-wire-shift.js'

/** w[2] is KC: the public signals are [L, KC]. */
const KC_WIRE = 2

afterAll(() => releaseProverThreads())

describe("an operator computing with its own share of the KC wire (the voter holds the public wires)", () => {
  let zkey: ParsedZkey
  let r1cs: ParsedR1cs
  let vkey: Record<string, unknown>

  beforeAll(async () => {
    zkey = await readZkey(leafOpening.zkey)
    r1cs = await readR1cs(leafOpening.r1cs)
    vkey = verificationKeyFromZkey(zkey, await loadBn128())
  })

  /**
   * A valid witness for the operator's statement [L, KC]; the voter puts in [L, KC_v] for a
   * random KC_v. The operator (party 0) shifts by KC - KC_v as `how` says.
   */
  async function attack(how: { shift: false } | { shift: true; openedA: boolean; piAAfter: boolean }) {
    const curve = await loadBn128()
    const inputs = validInputs()
    const claimed = publicSignalsOf(inputs)
    const told = [claimed[0], randomFieldElement()]
    const shares = splitShares(await clearWitness(inputs))
    const channels = memoryChannelPair()
    const dealer = new TestTripleDealer()
    const [operator, voter] = ([0, 1] as const).map((party) => new TestDealerArithmetic(party, channels[party], dealer, curve))
    const shift = { wire: KC_WIRE, delta: Fr.sub(claimed[1], told[1]), openedA: how.shift && how.openedA }
    const b1 = randomFieldElement()
    const proved = await Promise.all([
      proveCollaboratively(zkey, r1cs, shares[0], how.shift ? await shiftingArithmetic(operator, zkey, r1cs, shift) : operator, {
        validityBitShare: Fr.sub(1n, b1),
        publicSignals: claimed,
        publicParty: 1,
      }),
      proveCollaboratively(zkey, r1cs, shares[1], voter, { validityBitShare: b1, publicSignals: told, publicParty: 1 }),
    ])
    const own = how.shift && how.piAAfter ? await withShiftedPiA(proved[0], zkey, shift) : proved[0]
    const result = await combineProofShares(own, proved[1].piCShare)
    const verifies = (await snarkjs.groth16.verify(vkey, result.publicSignals, result.proof, { debug() {}, info() {}, warn() {}, error() {} })) as boolean
    return { verifies, result, claimed, shares, proved }
  }

  it("with every shift in place the proof verifies against the operator's statement: what holding the public wires allowed", async () => {
    const { verifies, result, claimed } = await attack({ shift: true, openedA: true, piAAfter: false })
    expect(result.publicSignals).toEqual(claimed.map(String))
    expect(verifies).toBe(true)
  })

  it('the shifted opening is the one the pi_a share proof refuses; the honest one passes', async () => {
    const curve = await loadBn128()
    const { G1 } = curve
    const { shares, proved } = await attack({ shift: true, openedA: true, piAAfter: false })
    const wires = Array.from({ length: zkey.nVars - zkey.nPublic - 1 }, (_, i) => zkey.nPublic + 1 + i)
    const scalars = [...wires.map((wire) => shares[0][wire]), proved[0].aShare.r]
    const context = new Uint8Array(32)
    const honest = proved[0].aShare.point
    const proof = proveRepresentation(await commitRepresentation(zkey, wires), scalars, honest, context)
    await expect(verifyRepresentation(zkey, wires, honest, proof, context)).resolves.toBeUndefined()
    // What the voter computes as the operator's share: the opened pi_a less its own share.
    const opened = G1.toAffine(G1.add(proved[1].piA, G1.neg(proved[1].aShare.point)))
    expect(G1.eq(opened, honest)).toBe(false)
    const forged = proveRepresentation(await commitRepresentation(zkey, wires), scalars, opened, context)
    await expect(verifyRepresentation(zkey, wires, opened, forged, context)).rejects.toThrow(ShareRepresentationError)
  })

  it('without shifting the opened pi_a share the proof is junk, and moving pi_a after the opening does not mend it', async () => {
    expect((await attack({ shift: true, openedA: false, piAAfter: false })).verifies).toBe(false)
    expect((await attack({ shift: true, openedA: false, piAAfter: true })).verifies).toBe(false)
  })

  it("without any shift the proof is junk against the operator's statement", async () => {
    expect((await attack({ shift: false })).verifies).toBe(false)
  })
})
