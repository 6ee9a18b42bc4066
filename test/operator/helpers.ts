import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeypair, type Keypair, type PublicKey } from '../../src/crypto/keys.js'
import { Operator } from '../../src/daemon/operator.js'
import { prepareReactivation, proveMembership, type Deactivation } from '../../src/core/voter.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../../src/core/reactivation/voter-session.js'
import { proveLeafOpeningReference } from '../../src/zk/reference-prover.js'

/**
 * A voter's reactivation of its deactivation at `leafIndex`, prepared against the operator's
 * leaf list and parameters as they are now (the membership proof starts at once).
 */
export function prepareAgainst(operator: Operator, secret: bigint, leafIndex: number, newPublicKey: PublicKey = generateKeypair().publicKey): PreparedReactivation {
  return prepareVoterReactivation({
    secret,
    leafIndex,
    leaves: operator.leaves(0, operator.status().deactivations),
    newPublicKey,
    params: operator.publicParameters(),
    deactivatedUnder: operator.publicParameters().keyCommitment,
  })
}

export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'maci-anon-'))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export async function freshOperator(): Promise<{ operator: Operator; directory: string; cleanup: () => Promise<void> }> {
  const temp = await temporaryDirectory()
  const directory = join(temp.path, 'operator')
  await Operator.initialize(directory)
  const operator = await Operator.open(directory)
  return { operator, directory, cleanup: async () => { await operator.close().catch(() => undefined); await temp.remove() } }
}

/**
 * The reactivation flow in one process: the voter's membership proof, and the leaf-opening
 * proof from the REFERENCE prover (which holds K; the 2PC replaces it in production).
 */
export async function reactivateWithReferenceProver(
  operator: Operator,
  deactivation: Deactivation,
  leafIndex: number,
  newKeypair: Keypair = generateKeypair(),
) {
  const params = operator.publicParameters()
  const reactivation = prepareReactivation({
    secret: deactivation.secret,
    leafIndex,
    leaves: operator.leaves(0, operator.status().deactivations),
    depth: params.depth,
    newPublicKey: newKeypair.publicKey,
  })
  const membership = await proveMembership(reactivation)
  const { K, kappa } = operator.leafKeySecrets()
  const leafOpening = await proveLeafOpeningReference({ ...reactivation.leafOpening, K, kappa })
  const submission = { newPublicKey: newKeypair.publicKey, membership, leafOpening }
  return { submission, newKeypair, reactivation }
}
