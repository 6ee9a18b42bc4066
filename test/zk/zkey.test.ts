import { readFileSync } from 'node:fs'
import * as snarkjs from 'snarkjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { readR1cs } from '../../src/zk/r1cs.js'
import { loadBn128, readZkey, type Bn128, type ParsedZkey } from '../../src/zk/zkey.js'
import { verificationKeyFromZkey } from './helpers/verification-key.js'
import { leafOpening } from './helpers/leaf-opening.js'

interface SnarkjsZkeyJson {
  nVars: number
  nPublic: number
  domainSize: number
  power: number
  n8q: number
  n8r: number
  q: string
  r: string
  vk_alpha_1: string[]
  vk_beta_1: string[]
  vk_beta_2: string[][]
  vk_gamma_2: string[][]
  vk_delta_1: string[]
  vk_delta_2: string[][]
  IC: string[][]
  ccoefs: { matrix: number; constraint: number; signal: number; value: string }[]
  A: string[][]
  B1: string[][]
  B2: string[][][]
  C: (string[] | null)[]
  hExps: string[][]
}

const decimal = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(decimal) : typeof value === 'bigint' ? value.toString() : value

describe('zkey reader', () => {
  let zkey: ParsedZkey
  let reference: SnarkjsZkeyJson
  let curve: Bn128

  beforeAll(async () => {
    zkey = await readZkey(leafOpening.zkey)
    reference = (await snarkjs.zKey.exportJson(leafOpening.zkey)) as SnarkjsZkeyJson
    curve = await loadBn128()
  })

  it('reads the header as snarkjs does', () => {
    expect(zkey.protocol).toBe('groth16')
    expect(zkey.domainSize).toBe(1024)
    expect(zkey.power).toBe(10)
    expect(zkey.nPublic).toBe(2)
    expect({ nVars: zkey.nVars, nPublic: zkey.nPublic, domainSize: zkey.domainSize, power: zkey.power }).toEqual({
      nVars: reference.nVars,
      nPublic: reference.nPublic,
      domainSize: reference.domainSize,
      power: reference.power,
    })
    expect([zkey.n8q, zkey.n8r, zkey.q.toString(), zkey.r.toString()]).toEqual([reference.n8q, reference.n8r, reference.q, reference.r])
    const g1 = (p: Uint8Array) => decimal(curve.G1.toObject(p))
    const g2 = (p: Uint8Array) => decimal(curve.G2.toObject(p))
    expect(g1(zkey.alpha1)).toEqual(reference.vk_alpha_1)
    expect(g1(zkey.beta1)).toEqual(reference.vk_beta_1)
    expect(g2(zkey.beta2)).toEqual(reference.vk_beta_2)
    expect(g2(zkey.gamma2)).toEqual(reference.vk_gamma_2)
    expect(g1(zkey.delta1)).toEqual(reference.vk_delta_1)
    expect(g2(zkey.delta2)).toEqual(reference.vk_delta_2)
  })

  it('reads the coefficients in plain form and every point section as snarkjs does', () => {
    expect(zkey.coefficients.map((c) => ({ ...c, value: c.value.toString() }))).toEqual(reference.ccoefs)
    const points = (bytes: Uint8Array, size: number, group: Bn128['G1']) =>
      Array.from({ length: bytes.length / size }, (_, i) => decimal(group.toObject(bytes.slice(i * size, (i + 1) * size))))
    expect(zkey.ic.map((p) => decimal(curve.G1.toObject(p)))).toEqual(reference.IC)
    expect(points(zkey.pointsA, 64, curve.G1)).toEqual(reference.A)
    expect(points(zkey.pointsB1, 64, curve.G1)).toEqual(reference.B1)
    expect(points(zkey.pointsB2, 128, curve.G2)).toEqual(reference.B2)
    expect(points(zkey.pointsC, 64, curve.G1)).toEqual(reference.C.slice(zkey.nPublic + 1))
    expect(points(zkey.pointsH, 64, curve.G1)).toEqual(reference.hExps)
  })

  it('has the public-input rows A[nConstraints + i][i] = 1 after the r1cs constraints', async () => {
    const r1cs = await readR1cs(leafOpening.r1cs)
    const publicRows = zkey.coefficients.filter((c) => c.constraint >= r1cs.nConstraints)
    expect(publicRows).toEqual(
      Array.from({ length: zkey.nPublic + 1 }, (_, i) => ({ matrix: 0, constraint: r1cs.nConstraints + i, signal: i, value: 1n })),
    )
  })

  it('derives the committed verification key', () => {
    const committed = JSON.parse(readFileSync(leafOpening.vkey, 'utf8')) as unknown
    expect(verificationKeyFromZkey(zkey, curve)).toEqual(committed)
  })

  it('reads the same key from bytes as from the path', async () => {
    const fromBytes = await readZkey(readFileSync(leafOpening.zkey))
    expect(fromBytes.coefficients).toEqual(zkey.coefficients)
    expect(fromBytes.pointsH).toEqual(zkey.pointsH)
  })
})
