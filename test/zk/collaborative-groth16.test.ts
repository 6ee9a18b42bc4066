import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { CollaborativeProverError, combineProofShares, precomputeWires, proveCollaboratively } from '../../src/zk/collaborative-groth16.js'
import { PlainArithmetic } from '../../src/zk/plain-arithmetic.js'
import type { PointVectors } from '../../src/zk/share-arithmetic.js'
import { releaseProverThreads, type ProofWithSignals } from '../../src/zk/groth16.js'
import { readR1cs, type ParsedR1cs } from '../../src/zk/r1cs.js'
import { WitnessEvaluator } from '../../src/zk/witness-evaluator.js'
import { loadBn128, readZkey, type Bn128, type ParsedZkey } from '../../src/zk/zkey.js'
import { clearWitness, leafOpening, publicSignalsOf, randomLeafInputs, splitShares, validInputs } from './helpers/leaf-opening.js'
import { proveWithTestDealer, type RandomSource } from './helpers/test-dealer-arithmetic.js'
import { verificationKeyFromZkey } from './helpers/verification-key.js'

const run = promisify(execFile)

describe('collaborative Groth16 (test dealer arithmetic)', () => {
  let curve: Bn128
  let zkey: ParsedZkey
  let r1cs: ParsedR1cs
  let vkey: Record<string, unknown>

  const verify = async ({ proof, publicSignals }: ProofWithSignals) =>
    (await snarkjs.groth16.verify(vkey, publicSignals, proof, { debug() {}, info() {}, warn() {}, error() {} })) as boolean

  const verifyWithCli = async ({ proof, publicSignals }: ProofWithSignals) => {
    const dir = await mkdtemp(join(tmpdir(), 'maci-anon-zk-'))
    try {
      const files = { vkey: join(dir, 'vkey.json'), public: join(dir, 'public.json'), proof: join(dir, 'proof.json') }
      await writeFile(files.vkey, JSON.stringify(vkey))
      await writeFile(files.public, JSON.stringify(publicSignals))
      await writeFile(files.proof, JSON.stringify(proof))
      const { stdout } = await run('npx', ['snarkjs', 'groth16', 'verify', files.vkey, files.public, files.proof])
      return stdout
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  const proveShared = async (
    witness: bigint[],
    validity: bigint,
    publicSignals: bigint[],
    random?: [RandomSource, RandomSource],
  ) => {
    const b1 = randomFieldElement()
    const bShares: [bigint, bigint] = [(((validity - b1) % Fr.ORDER) + Fr.ORDER) % Fr.ORDER, b1]
    return proveWithTestDealer(curve, zkey, r1cs, splitShares(witness), bShares, publicSignals, random)
  }

  beforeAll(async () => {
    curve = await loadBn128()
    zkey = await readZkey(leafOpening.zkey)
    r1cs = await readR1cs(leafOpening.r1cs)
    vkey = verificationKeyFromZkey(zkey, curve)
  })

  afterAll(() => releaseProverThreads())

  it('proves a valid witness from random shares: snarkjs and its CLI accept, in two rounds', async () => {
    const inputs = validInputs()
    const { proof, shares, channels } = await proveShared(await clearWitness(inputs), 1n, publicSignalsOf(inputs))
    expect(proof.publicSignals).toEqual(publicSignalsOf(inputs).map(String))
    expect(await verify(proof)).toBe(true)
    expect(await verifyWithCli(proof)).toMatch(/OK/)
    expect(shares[0].piA).toEqual(shares[1].piA)
    expect(shares[0].piB).toEqual(shares[1].piB)
    for (const channel of channels) expect(channel.stats.messagesSent).toBe(2)
  })

  it('has the shape of snarkjs.groth16.prove output', async () => {
    const inputs = validInputs()
    const ours = (await proveShared(await clearWitness(inputs), 1n, publicSignalsOf(inputs))).proof
    const theirs = await snarkjs.groth16.fullProve({ ...inputs.voter, ...inputs.operator }, leafOpening.wasm, leafOpening.zkey)
    const shape = (value: unknown): unknown => (Array.isArray(value) ? value.map(shape) : typeof value)
    expect(Object.keys(ours.proof).sort()).toEqual(Object.keys(theirs.proof).sort())
    expect(shape(ours.proof.pi_a)).toEqual(shape(theirs.proof.pi_a))
    expect(shape(ours.proof.pi_b)).toEqual(shape(theirs.proof.pi_b))
    expect(shape(ours.proof.pi_c)).toEqual(shape(theirs.proof.pi_c))
    expect([ours.proof.pi_a[2], ours.proof.pi_b[2], ours.proof.protocol, ours.proof.curve]).toEqual([
      theirs.proof.pi_a[2],
      theirs.proof.pi_b[2],
      theirs.proof.protocol,
      theirs.proof.curve,
    ])
    expect(ours.publicSignals).toEqual(theirs.publicSignals)
  })

  it('verifies when party 0 holds the whole witness and party 1 zeros', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const { proof } = await proveWithTestDealer(curve, zkey, r1cs, [witness, witness.map(() => 0n)], [1n, 0n], publicSignalsOf(inputs))
    expect(await verify(proof)).toBe(true)
  })

  it('leaves out of the MSMs the wires a party does not hold: the proof is the same kind, and one held wire left out breaks it', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const zeros = witness.map(() => 0n)
    const all = witness.map(() => true)
    const none = witness.map(() => false)
    const prove = (held: [boolean[], boolean[]]) => proveWithTestDealer(curve, zkey, r1cs, [witness, zeros], [1n, 0n], publicSignalsOf(inputs), undefined, [{ heldWires: held[0] }, { heldWires: held[1] }])
    expect(await verify((await prove([all, none])).proof)).toBe(true)
    const nonzero = witness.findIndex((value, wire) => wire > zkey.nPublic && value !== 0n)
    const missingOne = all.map((held, wire) => held && wire !== nonzero)
    expect(await verify((await prove([missingOne, none])).proof)).toBe(false)
    // With no private wire marked, only w[0] and the public inputs remain: the proof fails.
    expect(await verify((await prove([none, none])).proof)).toBe(false)
    await expect(prove([all.slice(1), none])).rejects.toThrow(/held-wire mask has/)
  })

  it('adds MSMs precomputed over some wires of each share: the proof verifies, and wrong points or values do not pass', async () => {
    const inputs = validInputs()
    const shares = splitShares(await clearWitness(inputs))
    // Each party precomputes a different part of the private wires (every third, from its own offset).
    const marks = ([0, 1] as const).map((party) => shares[0].map((_, wire) => wire > zkey.nPublic && wire % 3 === party))
    const precomputed = await Promise.all(([0, 1] as const).map((party) => precomputeWires(zkey, shares[party], marks[party])))
    const prove = (extras: [typeof precomputed[0], typeof precomputed[0]], witness = shares) =>
      proveWithTestDealer(curve, zkey, r1cs, witness, [1n, 0n], publicSignalsOf(inputs), undefined, [{ precomputed: extras[0] }, { precomputed: extras[1] }])
    expect(await verify((await prove([precomputed[0], precomputed[1]])).proof)).toBe(true)
    // Points that are not the MSMs of the marked wires give a proof that fails.
    const wrongA = { ...precomputed[1], a: curve.G1.toAffine(curve.G1.add(precomputed[1].a, curve.G1.g)) }
    expect(await verify((await prove([precomputed[0], wrongA])).proof)).toBe(false)
    // A share whose marked values differ from those precomputed is refused.
    const marked = marks[1].indexOf(true)
    const changed: [bigint[], bigint[]] = [shares[0], shares[1].map((value, wire) => (wire === marked ? Fr.create(value + 1n) : value))]
    await expect(prove([precomputed[0], precomputed[1]], changed)).rejects.toThrow(/made for other values/)
    // The prover sets w[0] and the public inputs itself, so they cannot be precomputed.
    await expect(precomputeWires(zkey, shares[0], marks[0].map((mark, wire) => mark || wire === 1))).rejects.toThrow(/never precomputed/)
    await expect(precomputeWires(zkey, shares[0].slice(1), marks[0])).rejects.toThrow(/values and/)
    await expect(precomputeWires(zkey, shares[0], marks[0].slice(1))).rejects.toThrow(/values and/)
  })

  it('refuses an opening from its driver with a point too many or one that is not on the curve', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const { G1, G2 } = curve
    const notOnCurve = (point: Uint8Array) => {
      const changed = Uint8Array.from(point)
      changed[0] ^= 1
      return changed
    }
    /** The plain driver with its point opening changed by `tamper`. */
    const tampered = (tamper: (opened: PointVectors) => PointVectors) =>
      new (class extends PlainArithmetic {
        override async openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors> {
          return tamper(await super.openPoints(g1, g2))
        }
      })()
    const prove = (tamper: (opened: PointVectors) => PointVectors) =>
      proveCollaboratively(zkey, r1cs, witness, tampered(tamper), { validityBitShare: 1n, publicSignals: publicSignalsOf(inputs) })
    expect((await prove((opened) => opened)).piA).toHaveLength(64)
    const cases: Array<(opened: PointVectors) => PointVectors> = [
      ({ g1, g2 }) => ({ g1: [...g1, G1.toAffine(G1.g)], g2 }),
      ({ g1, g2 }) => ({ g1, g2: [...g2, G2.toAffine(G2.g)] }),
      ({ g1, g2 }) => ({ g1: [g1[0], notOnCurve(g1[1])], g2 }),
      ({ g1, g2 }) => ({ g1: [notOnCurve(g1[0]), g1[1]], g2 }),
      ({ g1, g2 }) => ({ g1, g2: [notOnCurve(g2[0])] }),
    ]
    for (const tamper of cases) await expect(prove(tamper)).rejects.toThrow(/opened points are not valid/)
  })

  it('with b = 0 the proof fails and its C is fresh each run', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const first = await proveShared(witness, 0n, publicSignalsOf(inputs))
    const second = await proveShared(witness, 0n, publicSignalsOf(inputs))
    expect(await verify(first.proof)).toBe(false)
    expect(await verify(second.proof)).toBe(false)
    await expect(verifyWithCli(first.proof)).rejects.toThrow()
    expect(first.proof.proof.pi_c).not.toEqual(second.proof.proof.pi_c)
  })

  it('masks exactly: with r and s fixed, C*(b = 0) - C*(b = 1) = mu * G1', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const [r, s] = [randomFieldElement(), randomFieldElement()]
    const mu = [randomFieldElement(), randomFieldElement()]
    const scripted = (party: 0 | 1): RandomSource => () => [party === 0 ? r : 0n, party === 0 ? 0n : s, mu[party]]
    const random: [RandomSource, RandomSource] = [scripted(0), scripted(1)]
    const valid = await proveShared(witness, 1n, publicSignalsOf(inputs), random)
    const masked = await proveShared(witness, 0n, publicSignalsOf(inputs), random)
    expect(await verify(valid.proof)).toBe(true)
    expect(masked.proof.proof.pi_a).toEqual(valid.proof.proof.pi_a)
    expect(masked.proof.proof.pi_b).toEqual(valid.proof.proof.pi_b)
    const point = (coordinates: string[]) => curve.G1.fromObject(coordinates.map(BigInt))
    const difference = curve.G1.add(point(masked.proof.proof.pi_c), curve.G1.neg(point(valid.proof.proof.pi_c)))
    const expected = curve.G1.timesFr(curve.G1.g, curve.Fr.e((mu[0] + mu[1]) % Fr.ORDER))
    expect(curve.G1.eq(difference, expected)).toBe(true)
  })

  it('an invalid leaf gives a proof that fails, masked or not, and a fresh masked C each run', async () => {
    const inputs = randomLeafInputs()
    const evaluator = await WitnessEvaluator.load(leafOpening.wasm)
    const { witness, failedAsserts } = await evaluator.evaluate({ ...inputs.voter, ...inputs.operator })
    expect(failedAsserts).toHaveLength(1)
    const unmasked = await proveShared(witness, 1n, publicSignalsOf(inputs))
    const first = await proveShared(witness, 0n, publicSignalsOf(inputs))
    const second = await proveShared(witness, 0n, publicSignalsOf(inputs))
    for (const { proof } of [unmasked, first, second]) expect(await verify(proof)).toBe(false)
    expect(first.proof.proof.pi_c).not.toEqual(second.proof.proof.pi_c)
  })

  it('refuses a witness of the wrong length and a peer C share that is not a curve point', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    await expect(
      proveWithTestDealer(curve, zkey, r1cs, [witness.slice(1), witness.slice(1)], [1n, 0n], publicSignalsOf(inputs)),
    ).rejects.toThrow(CollaborativeProverError)
    const { shares } = await proveShared(witness, 1n, publicSignalsOf(inputs))
    const garbage = shares[1].piCShare.slice()
    garbage[0] ^= 1
    await expect(combineProofShares(shares[0], garbage)).rejects.toThrow(CollaborativeProverError)
    await expect(combineProofShares(shares[0], garbage.slice(1))).rejects.toThrow(CollaborativeProverError)
  })
})
