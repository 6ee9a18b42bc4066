import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fieldElementsToBytesLE, Fr, randomFieldElement, randomFieldElements } from '../../src/crypto/field.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import {
  commitRepresentation,
  proveRepresentation,
  representationProof,
  ShareRepresentationError,
  verifyRepresentation,
  type RepresentationProof,
} from '../../src/zk/share-representation.js'
import { G1_BYTES } from '../../src/zk/share-arithmetic.js'
import { loadBn128, readZkey, type Bn128, type ParsedZkey } from '../../src/zk/zkey.js'
import { leafOpening } from './helpers/leaf-opening.js'

afterAll(() => releaseProverThreads())

describe('the pi_a share proof (proof of knowledge of a representation, Fiat-Shamir)', () => {
  let curve: Bn128
  let zkey: ParsedZkey
  /** Some private wires, ascending, with gaps: the proof is over a subset, as the operator's is. */
  let wires: number[]
  const context = Uint8Array.from({ length: 64 }, (_, i) => i)

  const pointA = (wire: number) => zkey.pointsA.subarray(wire * G1_BYTES, (wire + 1) * G1_BYTES)
  /** sum scalars_i A_{wires_i} + scalars_last delta1, computed point by point (not by MSM). */
  const shareOf = (scalars: bigint[]) => {
    const { G1 } = curve
    let sum = G1.timesFr(zkey.delta1, curve.Fr.e(scalars[wires.length]))
    wires.forEach((wire, i) => {
      sum = G1.add(sum, G1.timesFr(pointA(wire), curve.Fr.e(scalars[i])))
    })
    return G1.toAffine(sum)
  }
  const honest = async () => {
    const scalars = randomFieldElements(wires.length + 1)
    const share = shareOf(scalars)
    return { scalars, share, proof: proveRepresentation(await commitRepresentation(zkey, wires), scalars, share, context) }
  }

  beforeAll(async () => {
    curve = await loadBn128()
    zkey = await readZkey(leafOpening.zkey)
    wires = Array.from({ length: 40 }, (_, i) => zkey.nPublic + 1 + 3 * i)
  })

  it('accepts an honest proof, for random scalars each time', async () => {
    for (let run = 0; run < 3; run++) {
      const { share, proof } = await honest()
      await expect(verifyRepresentation(zkey, wires, share, proof, context)).resolves.toBeUndefined()
    }
  })

  it('refuses a share with a part on a public wire, with any scalars for the rest', async () => {
    const { G1 } = curve
    const { scalars, share } = await honest()
    for (const publicWire of [0, 1, 2]) {
      const shifted = G1.toAffine(G1.add(share, G1.timesFr(pointA(publicWire), curve.Fr.e(randomFieldElement()))))
      const proof = proveRepresentation(await commitRepresentation(zkey, wires), scalars, shifted, context)
      await expect(verifyRepresentation(zkey, wires, shifted, proof, context)).rejects.toThrow(ShareRepresentationError)
    }
  })

  it('refuses a share with a part on a private wire outside the list', async () => {
    const { G1 } = curve
    const { scalars, share } = await honest()
    const shifted = G1.toAffine(G1.add(share, G1.timesFr(pointA(wires[0] + 1), curve.Fr.e(1n))))
    const proof = proveRepresentation(await commitRepresentation(zkey, wires), scalars, shifted, context)
    await expect(verifyRepresentation(zkey, wires, shifted, proof, context)).rejects.toThrow(/not made of its private wires/)
  })

  it('accepts a share moved along delta1 when the prover counts the move in r: r is part of the representation', async () => {
    const scalars = randomFieldElements(wires.length + 1)
    const moved = [...scalars.slice(0, -1), Fr.add(scalars[wires.length], 5n)]
    const share = shareOf(moved)
    const proof = proveRepresentation(await commitRepresentation(zkey, wires), moved, share, context)
    await expect(verifyRepresentation(zkey, wires, share, proof, context)).resolves.toBeUndefined()
  })

  it('refuses a changed response, commitment, context, wire list or share', async () => {
    const { G1 } = curve
    const { share, proof } = await honest()
    const responses = (at: number) => proof.responses.map((z, i) => (i === at ? Fr.add(z, 1n) : z))
    const refused = (candidate: RepresentationProof, ctx = context, list = wires, point = share) =>
      expect(verifyRepresentation(zkey, list, point, candidate, ctx)).rejects.toThrow(ShareRepresentationError)
    await refused({ ...proof, responses: responses(0) })
    await refused({ ...proof, responses: responses(wires.length) })
    await refused({ ...proof, commitment: G1.toAffine(G1.add(proof.commitment, G1.g)) })
    await refused(proof, Uint8Array.from(context, (byte, i) => (i === 63 ? byte ^ 1 : byte)))
    await refused(proof, context, [...wires.slice(0, -1), wires[wires.length - 1] + 1])
    await refused(proof, context, wires, G1.toAffine(G1.add(share, zkey.delta1)))
  })

  it('derives its challenge as PROTOCOL.md 5.4 says: SHA-512 of the tag, the context, the wire list (u32 LE, count first), the share and T, mod r', async () => {
    const scalars = randomFieldElements(wires.length + 1)
    const share = shareOf(scalars)
    const commitment = await commitRepresentation(zkey, wires)
    const proof = proveRepresentation(commitment, scalars, share, context)
    const list = Buffer.alloc(4 * (wires.length + 1))
    list.writeUInt32LE(wires.length, 0)
    wires.forEach((wire, i) => list.writeUInt32LE(wire, 4 * (i + 1)))
    const digest = createHash('sha512').update('maci-anon/a-share-representation/v1').update(context).update(list).update(share).update(commitment.point).digest('hex')
    const e = Fr.create(BigInt(`0x${digest}`))
    // z = y + e x for every base, with the commitment's own nonces.
    proof.responses.forEach((z, i) => expect(z).toBe(Fr.add(commitment.nonces[i], Fr.mul(e, scalars[i]))))
  })

  it('refuses a commitment that is no curve point and a wrong number of responses', async () => {
    const { proof, share } = await honest()
    const offCurve = Uint8Array.from(proof.commitment)
    offCurve[0] ^= 1
    await expect(verifyRepresentation(zkey, wires, share, { ...proof, commitment: offCurve }, context)).rejects.toThrow(/not a curve point/)
    await expect(verifyRepresentation(zkey, wires, share, { ...proof, commitment: offCurve.subarray(1) }, context)).rejects.toThrow(/not a curve point/)
    await expect(verifyRepresentation(zkey, wires, share, { ...proof, responses: proof.responses.slice(1) }, context)).rejects.toThrow(
      `expected ${wires.length + 1} responses, got ${wires.length}`,
    )
  })

  it('uses fresh nonces: two proofs of one share share no commitment and no response', async () => {
    const scalars = randomFieldElements(wires.length + 1)
    const share = shareOf(scalars)
    const [first, second] = await Promise.all([0, 1].map(async () => proveRepresentation(await commitRepresentation(zkey, wires), scalars, share, context)))
    expect(Buffer.from(first.commitment).equals(Buffer.from(second.commitment))).toBe(false)
    expect(first.responses.some((z, i) => z === second.responses[i])).toBe(false)
  })

  it('encodes to the length the shape gives, and back; refuses a response that is no field element', async () => {
    const { proof } = await honest()
    const bytes = representationProof.encode(proof)
    expect(bytes.length).toBe(representationProof.bytes(wires.length))
    expect(bytes.length).toBe(G1_BYTES + (wires.length + 1) * 32)
    const decoded = representationProof.decode(bytes, wires.length)
    expect(Buffer.from(decoded.commitment).equals(Buffer.from(proof.commitment))).toBe(true)
    expect(decoded.responses).toEqual(proof.responses)
    const tooLarge = Uint8Array.from(bytes)
    tooLarge.set(fieldElementsToBytesLE([Fr.ORDER - 1n]), G1_BYTES)
    tooLarge[G1_BYTES] += 1
    expect(() => representationProof.decode(tooLarge, wires.length)).toThrow(new ShareRepresentationError('a response of the pi_a share proof is not a field element'))
  })

  it('takes ascending private wires of the key only, and one scalar per base', async () => {
    for (const list of [[zkey.nPublic], [zkey.nPublic + 2, zkey.nPublic + 1], [zkey.nPublic + 1, zkey.nPublic + 1], [zkey.nVars], [zkey.nPublic + 1.5]]) {
      await expect(commitRepresentation(zkey, list)).rejects.toThrow(new RangeError('the wires of a pi_a share proof are ascending private wires of the key'))
    }
    const commitment = await commitRepresentation(zkey, wires)
    expect(() => proveRepresentation(commitment, randomFieldElements(wires.length), curve.G1.toAffine(curve.G1.g), context)).toThrow(
      `takes ${wires.length + 1} scalars, got ${wires.length}`,
    )
  })
})
