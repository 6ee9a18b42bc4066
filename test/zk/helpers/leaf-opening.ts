/**
 * TEST ONLY: leaf-opening inputs, the clear witness snarkjs computes for them, and random
 * additive sharings of it.
 */
import { randomInt } from 'node:crypto'
import * as snarkjs from 'snarkjs'
import { poseidon2, poseidon3 } from 'poseidon-lite'
import { Fr, randomFieldElement } from '../../../src/crypto/field.js'
import { artifactsOf } from '../../../src/zk/artifacts.js'
import type { PartyInputs } from './wire-ownership.js'

export const leafOpening = artifactsOf('leaf_opening')

/** Valid inputs: leaf = H(K, commitment, index), link = H(commitment, leaf, rho), KC = H(K, kappa). */
export function validInputs(index = BigInt(randomInt(1 << 20))): PartyInputs {
  const commitment = randomFieldElement()
  const rho = randomFieldElement()
  const K = randomFieldElement()
  const kappa = randomFieldElement()
  const leaf = poseidon3([K, commitment, index])
  return {
    voter: { link: poseidon3([commitment, leaf, rho]), commitment, leaf, rho, index },
    operator: { keyCommitment: poseidon2([K, kappa]), K, kappa },
  }
}

/** Inputs whose leaf is random rather than H(K, commitment, index): no satisfying witness exists. */
export function randomLeafInputs(): PartyInputs {
  const { voter, operator } = validInputs()
  const leaf = randomFieldElement()
  return { voter: { ...voter, leaf, link: poseidon3([voter.commitment, leaf, voter.rho]) }, operator }
}

export function publicSignalsOf(inputs: PartyInputs): bigint[] {
  return [inputs.voter.link, inputs.operator.keyCommitment]
}

/** The witness snarkjs computes in the clear (throws if the inputs do not satisfy the circuit). */
export async function clearWitness(inputs: PartyInputs): Promise<bigint[]> {
  const wtns = { type: 'mem' }
  await snarkjs.wtns.calculate({ ...inputs.voter, ...inputs.operator }, leafOpening.wasm, wtns)
  return (await snarkjs.wtns.exportJson(wtns)) as bigint[]
}

/** Two uniformly random additive shares of every wire. */
export function splitShares(values: bigint[]): [bigint[], bigint[]] {
  const second = values.map(() => randomFieldElement())
  const first = values.map((value, i) => (((value - second[i]) % Fr.ORDER) + Fr.ORDER) % Fr.ORDER)
  return [first, second]
}
