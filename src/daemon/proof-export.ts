/**
 * DESIGN P4: `export-proofs` writes, for every activated key, the two proofs with their
 * public signals and verification keys, as files that `snarkjs groth16 verify` takes
 * unchanged, and beside them what `maci-anon audit` (src/daemon/audit.ts) checks them
 * against: the public parameters and the root history.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parametersToRecord, type PublicParameters } from '../core/parameters.js'
import type { PrivateAttempt, PublicAttempt } from '../core/reactivation.js'
import { writeProofFiles } from '../zk/groth16.js'

/** What the export reads from an operator. */
export interface ProofSource {
  publicParameters(): PublicParameters
  /** Every attempt, once the calls in flight are done, so the roots read after it cover them. */
  reactivationRecords(): Promise<Array<PublicAttempt & PrivateAttempt>>
  rootHistory(): bigint[]
}

/** Returns how many activations were exported. */
export async function exportProofs(operator: ProofSource, directory: string): Promise<number> {
  const attempts = await operator.reactivationRecords()
  await mkdir(directory, { recursive: true })
  await writeFile(join(directory, 'parameters.json'), `${JSON.stringify(parametersToRecord(operator.publicParameters()), null, 2)}\n`)
  await writeFile(join(directory, 'roots.json'), `${JSON.stringify(operator.rootHistory().map(String), null, 2)}\n`)
  let exported = 0
  for (const [attempt, record] of attempts.entries()) {
    if (!record.activated) continue
    const target = join(directory, `activation-${attempt}`)
    await mkdir(target, { recursive: true })
    await writeProofFiles(target, 'membership', record.membership)
    await writeProofFiles(target, 'leaf_opening', record.leafOpening)
    exported++
  }
  return exported
}
