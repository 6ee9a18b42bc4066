/**
 * Attack 9 of issue 8 (P4), audit gaps: every proof of an export passes `snarkjs groth16
 * verify` under the vkey next to it, yet the activation is bogus: the vkey is not the
 * published one, the leaf opening is against another key commitment, the membership root is
 * not in the published history, the two proofs speak of different leaves (different L), or
 * one nullifier backs two activations. Performed here on a real export of a real operator
 * with two real activations, tampered as a dishonest operator would, and audited with the
 * core function, with the CLI, and against the operator daemon serving over libp2p.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { auditExport, fetchPublishedState, type AuditReport } from '../../src/daemon/audit.js'
import { resolveConfig } from '../../src/daemon/config.js'
import { Operator } from '../../src/daemon/operator.js'
import { OperatorService } from '../../src/daemon/operator-service.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { makeDeactivation } from '../../src/core/voter.js'
import { artifactsOf } from '../../src/zk/artifacts.js'
import { releaseProverThreads } from '../../src/zk/groth16.js'
import { localNode, silentLogger } from '../network/helpers.js'
import { reactivateWithReferenceProver, temporaryDirectory } from '../operator/helpers.js'
import { exportProofs } from '../../src/daemon/proof-export.js'

const run = promisify(execFile)
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname

let workspace: { path: string; remove: () => Promise<void> }
let exported: string
let dataDir: string
let copies = 0
/** activation directory names, in attempt order. */
let names: string[]
/** Both parties' leaf-opening inputs of the first activation: what a dishonest operator would prove again. */
let firstOpening: Record<string, bigint>

/** A fresh copy of the untouched export, for one tampering. */
async function copy(): Promise<string> {
  const target = join(workspace.path, `tampered-${copies++}`)
  await cp(exported, target, { recursive: true })
  return target
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as unknown
const writeJson = (path: string, value: unknown) => writeFile(path, JSON.stringify(value, null, 2))

function failedChecks(report: AuditReport, name: string): string[] {
  const activation = report.activations.find((entry) => entry.name === name)
  expect(activation).toBeDefined()
  return activation!.failures.map((failure) => failure.check)
}

beforeAll(async () => {
  workspace = await temporaryDirectory()
  dataDir = join(workspace.path, 'operator')
  await Operator.initialize(dataPaths(dataDir).operatorState)
  const operator = await Operator.open(dataPaths(dataDir).operatorState)
  try {
    // One deactivation and activation after the other, so the two membership roots differ.
    for (let i = 0; i < 2; i++) {
      const keypair = generateKeypair()
      await operator.signup(keypair.publicKey)
      const deactivation = makeDeactivation(keypair, operator.publicParameters())
      const receipt = await operator.submitDeactivation(deactivation.ciphertext)
      const { submission, reactivation } = await reactivateWithReferenceProver(operator, deactivation, receipt.index)
      expect((await operator.acceptReactivation(submission)).activated).toBe(true)
      if (i === 0) {
        const { K, kappa } = operator.leafKeySecrets()
        const keyCommitment = operator.publicParameters().keyCommitment
        firstOpening = { ...reactivation.leafOpening, link: reactivation.link, keyCommitment, K, kappa }
      }
    }
    exported = join(workspace.path, 'export')
    expect(await exportProofs(operator, exported)).toBe(2)
  } finally {
    await operator.close()
  }
  names = [0, 1].map((attempt) => `activation-${attempt}`)
}, 60_000)

afterAll(async () => {
  await releaseProverThreads()
  await workspace.remove()
})

describe('attack 9: audit of an export-proofs directory', () => {
  it('passes the untouched export', async () => {
    const report = await auditExport(exported)
    expect(report.failures).toEqual([])
    expect(report.activations.map((activation) => [activation.name, activation.ok])).toEqual(names.map((name) => [name, true]))
    expect(report.ok).toBe(true)
  })

  it('fails a leaf opening against another key commitment than the published one', async () => {
    const directory = await copy()
    const path = join(directory, 'parameters.json')
    const parameters = (await readJson(path)) as Record<string, unknown>
    await writeJson(path, { ...parameters, keyCommitment: String(Fr.fromDecimal(String(parameters.keyCommitment)) + 1n) })
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    for (const name of names) expect(failedChecks(report, name)).toEqual(['key-commitment'])
    expect(report.activations[0].failures[0].reason).toMatch(/not the published keyCommitment/)
  })

  it('fails a membership root that is not in the published root history', async () => {
    const directory = await copy()
    const membershipRoot = ((await readJson(join(directory, names[0], 'membership.public.json'))) as string[])[0]
    const path = join(directory, 'roots.json')
    const roots = (await readJson(path)) as string[]
    expect(roots).toContain(membershipRoot)
    await writeJson(path, roots.filter((root) => root !== membershipRoot))
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    expect(failedChecks(report, names[0])).toEqual(['root'])
    expect(failedChecks(report, names[1])).toEqual([])
    expect(report.activations[0].failures[0].reason).toContain(`root ${membershipRoot} is not in the published root history`)
  })

  it('fails a vkey swapped for another one, even one with the same number of public signals', async () => {
    const directory = await copy()
    // The bench's combined circuit: a real vkey, four public signals, not the published one.
    await cp(artifactsOf('combined').vkey, join(directory, names[1], 'membership.vkey.json'))
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    expect(failedChecks(report, names[1])).toContain('membership-vkey')
    expect(failedChecks(report, names[0])).toEqual([])
  })

  it('fails an export whose published vkey hash is of a vkey the operator made itself, though all else matches', async () => {
    // The operator adds a phase-2 contribution of its own to the leaf-opening zkey, proves
    // with it, and publishes the hash of the resulting vkey: every proof verifies under the
    // exported vkey, and that vkey hashes to the published value.
    const directory = await copy()
    const rogueZkey = join(workspace.path, 'rogue.zkey')
    await snarkjs.zKey.contribute(artifactsOf('leaf_opening').zkey, rogueZkey, 'operator', randomBytes(32).toString('hex'))
    const rogueVkey = await snarkjs.zKey.exportVerificationKey(rogueZkey)
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(firstOpening, artifactsOf('leaf_opening').wasm, rogueZkey)
    await writeJson(join(directory, names[0], 'leaf_opening.vkey.json'), rogueVkey)
    await writeJson(join(directory, names[0], 'leaf_opening.proof.json'), proof)
    await writeJson(join(directory, names[0], 'leaf_opening.public.json'), publicSignals)
    const path = join(directory, 'parameters.json')
    const parameters = (await readJson(path)) as { vkeyHashes: Record<string, string> }
    const rogueHash = createHash('sha256').update(JSON.stringify(rogueVkey, null, 1)).digest('hex')
    await writeJson(path, { ...parameters, vkeyHashes: { ...parameters.vkeyHashes, leafOpening: rogueHash } })
    expect(await snarkjs.groth16.verify(rogueVkey, publicSignals, proof)).toBe(true)
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    expect(report.failures.map((failure) => failure.check)).toEqual(['parameters'])
    expect(report.failures[0].reason).toMatch(/leafOpening vkey hash .* is not this release's/)
  })

  it('fails two proofs with different L, each valid on its own', async () => {
    const directory = await copy()
    // Exchange the leaf openings: every proof still verifies, KC and roots are right.
    const [first, second] = names.map((name) => join(directory, name))
    for (const kind of ['proof', 'public', 'vkey']) {
      const file = `leaf_opening.${kind}.json`
      await rename(join(first, file), join(directory, file))
      await rename(join(second, file), join(first, file))
      await rename(join(directory, file), join(second, file))
    }
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    for (const name of names) expect(failedChecks(report, name)).toEqual(['link'])
  })

  it('fails one nullifier behind two activations', async () => {
    const directory = await copy()
    await cp(join(directory, names[0]), join(directory, 'activation-7'), { recursive: true })
    const report = await auditExport(directory)
    expect(report.ok).toBe(false)
    for (const name of [names[0], 'activation-7']) expect(failedChecks(report, name)).toEqual(['nullifier-unique', 'link-unique'])
    expect(failedChecks(report, names[1])).toEqual([])
    expect(report.activations[0].failures[0].reason).toMatch(/is also used by activation-7/)
  })

  it('fails an export with a missing file, and says which', async () => {
    const directory = await copy()
    await rm(join(directory, names[1], 'leaf_opening.proof.json'))
    const report = await auditExport(directory)
    expect(failedChecks(report, names[1])).toEqual(['files'])
    expect(report.activations[1].failures[0].reason).toContain('leaf_opening.proof.json is missing')
  })

  it('the CLI prints the report and exits 1 on a failure, 0 on a clean export', async () => {
    const clean = await run(process.execPath, ['--import', 'tsx', MAIN, '--json', 'audit', exported])
    expect((JSON.parse(clean.stdout) as AuditReport).ok).toBe(true)

    const directory = await copy()
    await rm(join(directory, 'roots.json'))
    const failed = await run(process.execPath, ['--import', 'tsx', MAIN, 'audit', directory]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string },
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stdout).toMatch(/roots: .*roots\.json is missing/)
  }, 30_000)

  it('--against: the export must match what the operator serves over sync', async () => {
    const config = resolveConfig('operator', {
      flags: { dataDir, listen: '/ip4/127.0.0.1/tcp/0', logLevel: 'silent', shutdownGraceMs: 1000 },
    })
    const service = await OperatorService.start(config, silentLogger())
    const client = await localNode(false)
    try {
      const published = await fetchPublishedState(client, service.host.addresses[0])
      expect(published.badSignatures).toEqual([])
      expect((await auditExport(exported, { against: published })).ok).toBe(true)

      // A history of the export's own, one root longer than the node's: every activation
      // checks out against it, the node does not.
      const directory = await copy()
      const path = join(directory, 'roots.json')
      const roots = (await readJson(path)) as string[]
      await writeJson(path, [...roots, '12345'])
      const report = await auditExport(directory, { against: published })
      expect(report.activations.every((activation) => activation.ok)).toBe(true)
      expect(report.ok).toBe(false)
      expect(report.failures).toEqual([{ check: 'against', reason: expect.stringMatching(`the export has ${roots.length + 1} roots, .* only ${roots.length}`) }])

      // And parameters of the export's own.
      const forged = await copy()
      const parametersPath = join(forged, 'parameters.json')
      await writeJson(parametersPath, { ...((await readJson(parametersPath)) as object), voteOptions: 99 })
      const forgedReport = await auditExport(forged, { against: published })
      expect(forgedReport.failures).toEqual([{ check: 'against', reason: expect.stringMatching(/^voteOptions is 99 in the export but \d+ at /) }])
    } finally {
      await client.stop()
      await service.stop(1000)
    }
  }, 30_000)
})
