/**
 * `npm run prove:sample -- DIR`: runs the whole flow once in one process (signup, valid
 * deactivation, reactivation with the reference leaf-opening prover) and writes both proofs
 * with their public signals and verification keys to DIR, for checking with the unmodified
 * snarkjs CLI:
 *
 *   npx snarkjs groth16 verify DIR/membership.vkey.json DIR/membership.public.json DIR/membership.proof.json
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateKeypair } from '../src/crypto/keys.js'
import { Operator } from '../src/daemon/operator.js'
import { makeDeactivation, prepareReactivation, proveMembership } from '../src/core/voter.js'
import { releaseProverThreads, writeProofFiles } from '../src/zk/groth16.js'
import { proveLeafOpeningReference } from '../src/zk/reference-prover.js'

const target = process.argv[2]
if (target === undefined) {
  console.error('usage: npm run prove:sample -- DIR')
  process.exit(2)
}
const outputDirectory = resolve(target)
const operatorDirectory = await mkdtemp(join(tmpdir(), 'maci-anon-sample-'))

try {
  await Operator.initialize(operatorDirectory)
  const operator = await Operator.open(operatorDirectory)
  const voter = generateKeypair()
  const newKey = generateKeypair()
  await operator.signup(voter.publicKey)
  const deactivation = makeDeactivation(voter, operator.publicParameters())
  const receipt = await operator.submitDeactivation(deactivation.ciphertext)
  const reactivation = prepareReactivation({
    secret: deactivation.secret,
    leafIndex: receipt.index,
    leaves: operator.leaves(0, receipt.index + 1),
    depth: operator.publicParameters().depth,
    newPublicKey: newKey.publicKey,
  })
  console.log('proving membership (voter, snarkjs)')
  const membership = await proveMembership(reactivation)
  console.log('proving leaf opening (reference prover)')
  const leafOpening = await proveLeafOpeningReference({ ...reactivation.leafOpening, ...operator.leafKeySecrets() })
  const outcome = await operator.acceptReactivation({ newPublicKey: newKey.publicKey, membership, leafOpening })
  await operator.close()
  if (!outcome.activated) throw new Error('the sample reactivation was not accepted')
  await mkdir(outputDirectory, { recursive: true })
  await writeProofFiles(outputDirectory, 'membership', membership)
  await writeProofFiles(outputDirectory, 'leaf_opening', leafOpening)
  console.log(`wrote membership.* and leaf_opening.* (proof, public, vkey) to ${outputDirectory}`)
} finally {
  await releaseProverThreads()
  await rm(operatorDirectory, { recursive: true, force: true })
}
