import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import { evaluateCombination, readR1cs, type ParsedR1cs } from '../../src/zk/r1cs.js'
import { unsatisfiedConstraints } from './helpers/r1cs.js'
import { BUILD_DIR } from '../../src/zk/artifacts.js'
import { readZkey, type ParsedZkey } from '../../src/zk/zkey.js'
import { clearWitness, leafOpening, validInputs } from './helpers/leaf-opening.js'

describe('r1cs reader', () => {
  let r1cs: ParsedR1cs
  let zkey: ParsedZkey

  beforeAll(async () => {
    r1cs = await readR1cs(leafOpening.r1cs)
    zkey = await readZkey(leafOpening.zkey)
  })

  it('reads the header of the compiled leaf-opening circuit', () => {
    expect(r1cs.prime).toBe(Fr.ORDER)
    // circom's own count, recorded by the artifact build.
    const { constraints } = (JSON.parse(readFileSync(`${BUILD_DIR}manifest.json`, 'utf8')) as { circuits: { leaf_opening: { constraints: number } } }).circuits.leaf_opening
    expect(r1cs.nConstraints).toBe(constraints)
    expect(r1cs.constraints).toHaveLength(constraints)
    expect(r1cs.nVars).toBe(zkey.nVars)
    expect(r1cs.nOutputs + r1cs.nPubInputs).toBe(2)
    // commitment, leaf, rho, index (voter); K, kappa (operator).
    expect(r1cs.nPrvInputs).toBe(6)
  })

  it('is satisfied by the snarkjs witness and not by a tampered one', async () => {
    const witness = await clearWitness(validInputs())
    expect(unsatisfiedConstraints(r1cs, witness)).toEqual([])
    const tampered = [...witness]
    tampered[100] = (tampered[100] + 1n) % Fr.ORDER
    expect(unsatisfiedConstraints(r1cs, tampered).length).toBeGreaterThan(0)
  })

  it('agrees with the zkey: (A*w)(B*w) from the zkey coefficients equals C*w from the r1cs', async () => {
    const witness = await clearWitness(validInputs())
    const a = new Array<bigint>(zkey.domainSize).fill(0n)
    const b = new Array<bigint>(zkey.domainSize).fill(0n)
    for (const c of zkey.coefficients) (c.matrix === 0 ? a : b)[c.constraint] += c.value * witness[c.signal]
    r1cs.constraints.forEach((constraint, i) => {
      expect((a[i] * b[i]) % Fr.ORDER).toBe(evaluateCombination(constraint.c, witness, Fr.ORDER))
    })
  })
})
