/** Operator states the benches start from, built through the operator core itself. */
import { generateKeypair } from '../src/crypto/keys.js'
import { Operator } from '../src/daemon/operator.js'
import { type PublicParameters } from '../src/core/parameters.js'
import { makeDeactivation, type Deactivation } from '../src/core/voter.js'

export interface Fixture {
  params: PublicParameters
  leaves: bigint[]
  deactivations: Deactivation[]
  secrets: { K: bigint; kappa: bigint }
}

/** A new operator state with one valid deactivation per session the bench will run. */
export async function operatorFixture(stateDirectory: string, sessions: number): Promise<Fixture> {
  await Operator.initialize(stateDirectory)
  const operator = await Operator.open(stateDirectory)
  const params = operator.publicParameters()
  const deactivations: Deactivation[] = []
  for (let i = 0; i < sessions; i++) {
    const voter = generateKeypair()
    await operator.signup(voter.publicKey)
    const deactivation = makeDeactivation(voter, params)
    await operator.submitDeactivation(deactivation.ciphertext)
    deactivations.push(deactivation)
  }
  const fixture = { params, leaves: operator.leaves(0, sessions), deactivations, secrets: operator.leafKeySecrets() }
  await operator.close()
  return fixture
}
