/**
 * Auditing an `operator export-proofs` directory (DESIGN P4). `snarkjs groth16 verify` only
 * says that a proof is valid under the vkey next to it; an activation is valid only if, in
 * addition:
 *
 * - the published vkeyHashes are this release's (src/zk/artifacts.ts verificationKeyHash),
 *   and both vkeys are the published ones: an operator that published the hash of a vkey of
 *   its own making (a zkey it contributed to itself) could otherwise prove leaf openings
 *   under it that audit clean;
 * - the leaf opening is against the published key commitment KC, so its leaf key is the
 *   one the operator committed to (another K makes other leaves);
 * - the membership root is in the published root history, so the leaf is in the public tree;
 * - both proofs carry the same link L, so they speak of the same leaf;
 * - no two activations share a nullifier N (one deactivation, one activation) or an L.
 *
 * With a reference node (the operator or a replica, over sync) the exported parameters and
 * root history must also be the ones that node publishes, so an export cannot come with a
 * history of its own.
 *
 * Layout read (written by exportProofs, src/daemon/proof-export.ts): DIR/parameters.json, DIR/roots.json (entry
 * i the root after leaf i, decimal strings) and DIR/activation-N/{membership,leaf_opening}
 * .{proof,public,vkey}.json.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { Fr } from '../crypto/field.js'
import { publicKeyFromString, publicKeyToString } from '../crypto/keys.js'
import { verifySignedRoot } from '../crypto/root-signature.js'
import { MaciAnonError } from '../errors.js'
import type { Dialer, OpenOptions, Target } from '../protocol/client.js'
import { SyncClient } from '../protocol/sync.js'
import { releaseVerificationKeyHashes } from '../zk/artifacts.js'
import type { Groth16Proof } from '../zk/groth16.js'
import type { PublicParameters } from '../core/parameters.js'

/** Public signals in the circuits' order (circuits/membership.circom, circuits/leaf_opening.circom). */
const MEMBERSHIP = { root: 0, nullifier: 1, newKeyHash: 2, link: 3, count: 4 } as const
const LEAF_OPENING = { link: 0, keyCommitment: 1, count: 2 } as const

export type AuditCheck =
  | 'files'
  | 'membership-vkey'
  | 'leaf-opening-vkey'
  | 'membership-proof'
  | 'leaf-opening-proof'
  | 'key-commitment'
  | 'root'
  | 'link'
  | 'nullifier-unique'
  | 'link-unique'

export interface AuditFailure {
  check: AuditCheck | 'parameters' | 'roots' | 'against'
  reason: string
}

export interface ActivationAudit {
  /** The directory name, activation-N with N the attempt number. */
  name: string
  nullifier?: string
  link?: string
  root?: string
  ok: boolean
  failures: AuditFailure[]
}

export interface AuditReport {
  directory: string
  ok: boolean
  /** Failures of the export as a whole: parameters, root history, the reference node. */
  failures: AuditFailure[]
  activations: ActivationAudit[]
  /** The reference node the export was compared with, if any. */
  against?: string
}

/** What a reference node publishes, to compare an export with. */
export interface PublishedState {
  source: string
  parameters: PublicParameters
  roots: bigint[]
  /** Tree sizes whose root the node served without a valid operator signature. */
  badSignatures: number[]
}

/** Something in the export cannot be read; it becomes one failure of the report. */
class AuditError extends MaciAnonError {
  constructor(
    readonly check: AuditFailure['check'],
    message: string,
  ) {
    super('AUDIT', message)
  }
}

interface ProofFiles {
  proof: Groth16Proof
  publicSignals: bigint[]
  vkey: Record<string, unknown> & { nPublic?: unknown }
  /** SHA-256 of the vkey as snarkjs writes it, whatever whitespace the export used. */
  vkeyHash: string
}

export async function auditExport(directory: string, options: { against?: PublishedState } = {}): Promise<AuditReport> {
  const failures: AuditFailure[] = []
  const published = await attempt(failures, () => readParameters(directory))
  if (published !== undefined) failures.push(...compareWithRelease(published))
  const roots = await attempt(failures, () => readRoots(directory))
  if (options.against !== undefined && published !== undefined && roots !== undefined) {
    failures.push(...compareWithPublished(published, roots, options.against))
  }
  const names = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^activation-\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => Number(a.slice('activation-'.length)) - Number(b.slice('activation-'.length)))
  const rootSet = new Set(roots ?? [])
  const activations: ActivationAudit[] = []
  for (const name of names) {
    activations.push(await auditActivation(join(directory, name), name, published, roots === undefined ? undefined : rootSet))
  }
  markDuplicates(activations, 'nullifier', 'nullifier-unique')
  markDuplicates(activations, 'link', 'link-unique')
  for (const activation of activations) activation.ok = activation.failures.length === 0
  return {
    directory,
    ok: failures.length === 0 && activations.every((activation) => activation.ok),
    failures,
    activations,
    against: options.against?.source,
  }
}

/** Parameters and root history from a node over sync; signed roots are checked against the node's operator key. */
export async function fetchPublishedState(dialer: Dialer, target: Target, options?: OpenOptions): Promise<PublishedState> {
  const client = await SyncClient.open(dialer, target, options)
  try {
    const parameters = await client.parameters()
    const head = await client.head()
    const signed = await client.roots(0, head.roots)
    return {
      source: target.toString(),
      parameters,
      roots: signed.map((entry) => entry.root),
      badSignatures: signed.filter((entry) => !verifySignedRoot(parameters.operatorPublicKey, entry)).map((entry) => entry.size),
    }
  } finally {
    await client.close()
  }
}

async function auditActivation(
  path: string,
  name: string,
  parameters: PublicParameters | undefined,
  rootSet: Set<bigint> | undefined,
): Promise<ActivationAudit> {
  const audit: ActivationAudit = { name, ok: false, failures: [] }
  const fail = (check: AuditCheck, reason: string) => audit.failures.push({ check, reason })
  const [membership, leafOpening] = await Promise.all([
    attempt(audit.failures, () => readProofFiles(path, 'membership', MEMBERSHIP.count)),
    attempt(audit.failures, () => readProofFiles(path, 'leaf_opening', LEAF_OPENING.count)),
  ])
  if (membership !== undefined) {
    audit.root = membership.publicSignals[MEMBERSHIP.root].toString()
    audit.nullifier = membership.publicSignals[MEMBERSHIP.nullifier].toString()
    audit.link = membership.publicSignals[MEMBERSHIP.link].toString()
    if (parameters !== undefined && membership.vkeyHash !== parameters.vkeyHashes.membership) {
      fail('membership-vkey', `the membership vkey hashes to ${membership.vkeyHash}, not the published ${parameters.vkeyHashes.membership}`)
    }
    if (!(await verifies(membership))) fail('membership-proof', 'the membership proof does not verify under its vkey')
    if (rootSet !== undefined && !rootSet.has(membership.publicSignals[MEMBERSHIP.root])) {
      fail('root', `the membership root ${audit.root} is not in the published root history`)
    }
  }
  if (leafOpening !== undefined) {
    if (parameters !== undefined && leafOpening.vkeyHash !== parameters.vkeyHashes.leafOpening) {
      fail('leaf-opening-vkey', `the leaf-opening vkey hashes to ${leafOpening.vkeyHash}, not the published ${parameters.vkeyHashes.leafOpening}`)
    }
    if (!(await verifies(leafOpening))) fail('leaf-opening-proof', 'the leaf-opening proof does not verify under its vkey')
    const keyCommitment = leafOpening.publicSignals[LEAF_OPENING.keyCommitment]
    if (parameters !== undefined && keyCommitment !== parameters.keyCommitment) {
      fail('key-commitment', `the leaf opening is against KC ${keyCommitment}, not the published keyCommitment ${parameters.keyCommitment}`)
    }
  }
  if (membership !== undefined && leafOpening !== undefined) {
    const membershipLink = membership.publicSignals[MEMBERSHIP.link]
    const openingLink = leafOpening.publicSignals[LEAF_OPENING.link]
    if (membershipLink !== openingLink) fail('link', `the membership proof has L ${membershipLink}, the leaf opening L ${openingLink}`)
  }
  return audit
}

function markDuplicates(activations: ActivationAudit[], field: 'nullifier' | 'link', check: AuditCheck): void {
  const seen = new Map<string, string[]>()
  for (const activation of activations) {
    const value = activation[field]
    if (value !== undefined) seen.set(value, [...(seen.get(value) ?? []), activation.name])
  }
  for (const activation of activations) {
    const value = activation[field]
    const sharing = value === undefined ? [] : (seen.get(value) ?? [])
    if (sharing.length > 1) {
      const others = sharing.filter((other) => other !== activation.name).join(', ')
      activation.failures.push({ check, reason: `${field === 'nullifier' ? 'N' : 'L'} ${value} is also used by ${others}` })
    }
  }
}

function compareWithRelease(parameters: PublicParameters): AuditFailure[] {
  const release = releaseVerificationKeyHashes()
  return (['membership', 'leafOpening'] as const)
    .filter((circuit) => parameters.vkeyHashes[circuit] !== release[circuit])
    .map((circuit) => ({
      check: 'parameters' as const,
      reason: `the published ${circuit} vkey hash ${parameters.vkeyHashes[circuit]} is not this release's ${release[circuit]}`,
    }))
}

function compareWithPublished(parameters: PublicParameters, roots: bigint[], published: PublishedState): AuditFailure[] {
  const failures: AuditFailure[] = published.badSignatures.map((size) => ({
    check: 'against' as const,
    reason: `${published.source} serves the root for tree size ${size} without a valid operator signature`,
  }))
  const differs = (field: string, exported: unknown, theirs: unknown) =>
    failures.push({ check: 'against', reason: `${field} is ${String(exported)} in the export but ${String(theirs)} at ${published.source}` })
  const mine = describeParameters(parameters)
  const theirs = describeParameters(published.parameters)
  for (const field of Object.keys(mine) as Array<keyof typeof mine>) {
    if (mine[field] !== theirs[field]) differs(field, mine[field], theirs[field])
  }
  // The node may have grown since the export: its history must extend the exported one.
  if (published.roots.length < roots.length) {
    failures.push({ check: 'against', reason: `the export has ${roots.length} roots, ${published.source} only ${published.roots.length}` })
  }
  const firstDifference = roots.findIndex((root, i) => i < published.roots.length && published.roots[i] !== root)
  if (firstDifference !== -1) differs(`root ${firstDifference}`, roots[firstDifference], published.roots[firstDifference])
  return failures
}

function describeParameters(parameters: PublicParameters): Record<string, string> {
  return {
    operatorPublicKey: publicKeyToString(parameters.operatorPublicKey),
    keyCommitment: parameters.keyCommitment.toString(),
    depth: String(parameters.depth),
    membershipVkeyHash: parameters.vkeyHashes.membership,
    leafOpeningVkeyHash: parameters.vkeyHashes.leafOpening,
    voteOptions: String(parameters.voteOptions),
  }
}

async function readParameters(directory: string): Promise<PublicParameters> {
  const raw = await readJson(join(directory, 'parameters.json'), 'parameters')
  try {
    const stored = raw as Record<string, unknown>
    const hashes = stored.vkeyHashes as Record<string, unknown>
    if (typeof hashes?.membership !== 'string' || typeof hashes.leafOpening !== 'string') throw new Error('vkeyHashes is missing')
    // operatorPublicKey is written "x,y" or "x:y" in decimal.
    const key = String(stored.operatorPublicKey).replace(',', ':')
    if (!Number.isSafeInteger(stored.depth) || !Number.isSafeInteger(stored.voteOptions)) throw new Error('depth and voteOptions are integers')
    return {
      operatorPublicKey: publicKeyFromString(key),
      keyCommitment: Fr.fromDecimal(String(stored.keyCommitment)),
      depth: stored.depth as number,
      vkeyHashes: { membership: hashes.membership, leafOpening: hashes.leafOpening },
      voteOptions: stored.voteOptions as number,
    }
  } catch (error) {
    throw new AuditError('parameters', `parameters.json: ${(error as Error).message}`)
  }
}

async function readRoots(directory: string): Promise<bigint[]> {
  const raw = await readJson(join(directory, 'roots.json'), 'roots')
  if (!Array.isArray(raw)) throw new AuditError('roots', 'roots.json is not an array')
  try {
    return raw.map((root) => Fr.fromDecimal(String(root)))
  } catch (error) {
    throw new AuditError('roots', `roots.json: ${(error as Error).message}`)
  }
}

async function readProofFiles(directory: string, name: 'membership' | 'leaf_opening', signals: number): Promise<ProofFiles> {
  const [proof, publicSignals, vkeyText] = await Promise.all([
    readJson(join(directory, `${name}.proof.json`), 'files'),
    readJson(join(directory, `${name}.public.json`), 'files'),
    readFile(join(directory, `${name}.vkey.json`), 'utf8').catch(() => {
      throw new AuditError('files', `${name}.vkey.json is missing`)
    }),
  ])
  if (!Array.isArray(publicSignals) || publicSignals.length !== signals) {
    throw new AuditError('files', `${name}.public.json must hold ${signals} public signals`)
  }
  let vkey: ProofFiles['vkey']
  let parsedSignals: bigint[]
  try {
    vkey = JSON.parse(vkeyText) as ProofFiles['vkey']
    parsedSignals = publicSignals.map((signal) => Fr.fromDecimal(String(signal)))
  } catch (error) {
    throw new AuditError('files', `${name}: ${(error as Error).message}`)
  }
  // The published hash is of the vkey file snarkjs writes (one-space indent); hashing that
  // form of what was parsed ties the check to the vkey's content, not the export's layout.
  const vkeyHash = createHash('sha256').update(JSON.stringify(vkey, null, 1)).digest('hex')
  return { proof: proof as Groth16Proof, publicSignals: parsedSignals, vkey, vkeyHash }
}

async function verifies(files: ProofFiles): Promise<boolean> {
  if (files.vkey.nPublic !== files.publicSignals.length) return false
  try {
    const signals = files.publicSignals.map(String)
    return (await snarkjs.groth16.verify(files.vkey, signals, files.proof, silentLogger)) === true
  } catch {
    return false
  }
}

async function readJson(path: string, check: AuditFailure['check']): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new AuditError(check, `${path} is missing`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new AuditError(check, `${path} is not JSON: ${(error as Error).message}`)
  }
}

/** Runs `read`; an AuditError becomes a failure in `failures` (and undefined), anything else is a bug. */
async function attempt<T>(failures: AuditFailure[], read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (!(error instanceof AuditError)) throw error
    failures.push({ check: error.check, reason: error.message })
    return undefined
  }
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} }
