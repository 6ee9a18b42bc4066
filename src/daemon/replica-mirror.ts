/**
 * A replica's copy of the operator's public data (parameters, leaves, signed root history,
 * deactivation log) in LevelDB. Nothing enters it unchecked: every leaf is inserted into an
 * IncrementalMerkleTree, the resulting root must equal the operator's published root for
 * that position, and that root must carry the operator's signature for that tree size. So a
 * replica never serves a leaf list that disagrees with the root history voters prove
 * against, and every root it serves is the operator's own word.
 *
 * Other copies of the history (the operator's, peer replicas') are compared with this one
 * (`compare`). Two validly signed, different roots for one tree size prove that the operator
 * equivocated: the proof is stored, and from then on the mirror serves no roots, so voters
 * that cross-check against it stop instead of proving against either history.
 *
 * Keys: meta/params, leaf/<i>, root/<i> (hex of the 128-byte signed root), log/<i>,
 * equivocation/<size> (JSON, see EquivocationProof).
 */
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { isEquivocation, SignedRootError, verifySignedRoot, type SignedRoot } from '../crypto/root-signature.js'
import { MaciAnonError } from '../errors.js'
import { ProtocolError } from '../protocol/errors.js'
import type { SyncHead, SyncSource } from '../protocol/sync.js'
import { parametersFromRecord, parametersToRecord, sameParameters, type ParametersRecord, type PublicParameters } from '../core/parameters.js'
import { decodeCiphertext, decodeSignedRootAt, encodeCiphertext, encodeSignedRootRecord } from '../core/records.js'
import { indexKey, LevelStore, type BatchOperation } from '../store/level-store.js'

/** The operator's data contradicts itself or what this replica already holds. */
export class InconsistentDataError extends MaciAnonError {
  constructor(detail: string) {
    super('INCONSISTENT_DATA', detail)
  }
}

export interface MirrorUpdate {
  /** Leaves, signed roots and log entries from position `size` on, equally many of each. */
  leaves: bigint[]
  roots: SignedRoot[]
  log: Uint8Array[]
}

/** Two signed roots for one tree size: anyone with the operator's public key can check it. */
export interface EquivocationProof {
  size: number
  /** The root this mirror holds, and the other one. */
  held: SignedRoot
  other: SignedRoot
  /** Who served the other root (a multiaddr, or "operator"). */
  source: string
  detectedAt: string
}

export class ReplicaMirror implements SyncSource {
  private params: PublicParameters | undefined
  private tree: IncrementalMerkleTree | undefined
  private readonly rootHistory: SignedRoot[]
  private readonly entries: Uint8Array[]
  private readonly proofs: EquivocationProof[]

  private constructor(
    private readonly store: LevelStore,
    params: PublicParameters | undefined,
    leaves: bigint[],
    roots: SignedRoot[],
    log: Uint8Array[],
    proofs: EquivocationProof[],
  ) {
    this.params = params
    this.rootHistory = roots
    this.entries = log
    this.proofs = proofs
    if (params !== undefined) {
      this.tree = IncrementalMerkleTree.fromLeaves(params.depth, leaves)
      if (leaves.length !== roots.length || leaves.length !== log.length || (leaves.length > 0 && this.tree.root !== roots.at(-1)?.root)) {
        throw new InconsistentDataError('the stored mirror does not match itself; delete it to resync')
      }
    }
  }

  static async open(directory: string): Promise<ReplicaMirror> {
    const store = await LevelStore.open(directory)
    try {
      const params = await store.get('meta/params')
      const [leaves, roots, log, proofs] = await Promise.all([store.list('leaf'), store.list('root'), store.list('log'), store.list('equivocation')])
      return new ReplicaMirror(
        store,
        params === undefined ? undefined : parametersFromRecord(JSON.parse(params) as ParametersRecord),
        leaves.map(BigInt),
        roots.map((hex, i) => storedSignedRoot(hex, i + 1)),
        log.map(decodeCiphertext),
        proofs.map(parseProof),
      )
    } catch (error) {
      await store.close()
      throw error
    }
  }

  close(): Promise<void> {
    return this.store.close()
  }

  get size(): number {
    return this.rootHistory.length
  }

  get root(): bigint | undefined {
    return this.tree?.root
  }

  get hasParameters(): boolean {
    return this.params !== undefined
  }

  /** Proofs that the operator equivocated, oldest first; any at all and no root is served. */
  get equivocations(): readonly EquivocationProof[] {
    return this.proofs
  }

  /** Adopt the operator's parameters on first sync; afterwards they must never change. */
  async adoptParameters(params: PublicParameters): Promise<void> {
    if (this.params !== undefined) {
      if (!sameParameters(params, this.params)) throw new InconsistentDataError('the operator now publishes different parameters')
      return
    }
    await this.store.batch([{ type: 'put', key: 'meta/params', value: JSON.stringify(parametersToRecord(params)) }])
    this.params = params
    this.tree = new IncrementalMerkleTree(params.depth)
  }

  /**
   * Verify and store the next entries. The verified prefix is kept even when a later leaf
   * fails its root, then the failure is reported: what is stored is always consistent.
   */
  async append(update: MirrorUpdate): Promise<void> {
    const tree = this.tree
    if (tree === undefined) throw new InconsistentDataError('entries before parameters')
    const count = update.leaves.length
    if (update.roots.length !== count || update.log.length !== count) {
      throw new InconsistentDataError(`${count} leaves came with ${update.roots.length} roots and ${update.log.length} log entries`)
    }
    const operatorKey = this.parameters().operatorPublicKey
    const operations: BatchOperation[] = []
    let failure: InconsistentDataError | undefined
    let accepted = 0
    for (; accepted < count; accepted++) {
      const position = this.size + accepted
      const signed = update.roots[accepted]
      if (tree.rootAfterInsert(update.leaves[accepted]) !== signed.root) {
        failure = new InconsistentDataError(`leaf ${position} does not produce the published root ${position}`)
        break
      }
      if (signed.size !== position + 1 || !verifySignedRoot(operatorKey, signed)) {
        failure = new InconsistentDataError(`root ${position} does not carry the operator's signature for tree size ${position + 1}`)
        break
      }
      tree.insert(update.leaves[accepted])
      operations.push(
        { type: 'put', key: indexKey('leaf', position), value: update.leaves[accepted].toString() },
        { type: 'put', key: indexKey('root', position), value: encodeSignedRootRecord(signed) },
        { type: 'put', key: indexKey('log', position), value: encodeCiphertext(update.log[accepted]) },
      )
    }
    if (operations.length > 0) await this.store.batch(operations)
    this.rootHistory.push(...update.roots.slice(0, accepted))
    this.entries.push(...update.log.slice(0, accepted))
    if (failure !== undefined) throw failure
  }

  /**
   * Compare a signed root from elsewhere with the one held for its size. Agreement (or a
   * size not held yet) returns undefined. A different root with a valid operator signature
   * is an equivocation: the proof is stored (one batch) and returned. A different root
   * without one proves nothing against the operator, only against `source`: it throws.
   */
  async compare(other: SignedRoot, source: string): Promise<EquivocationProof | undefined> {
    const held = this.rootHistory[other.size - 1] as SignedRoot | undefined
    if (held === undefined || held.root === other.root) return undefined
    if (!isEquivocation(this.parameters().operatorPublicKey, held, other)) {
      throw new InconsistentDataError(`${source} served a root for tree size ${other.size} without the operator's signature`)
    }
    const proof: EquivocationProof = { size: other.size, held, other, source, detectedAt: new Date().toISOString() }
    await this.store.batch([{ type: 'put', key: indexKey('equivocation', this.proofs.length), value: serializeProof(proof) }])
    this.proofs.push(proof)
    return proof
  }

  parameters(): PublicParameters {
    if (this.params === undefined) throw new ProtocolError('UNAVAILABLE', 'the replica has not synced yet')
    return this.params
  }

  head(): SyncHead {
    if (this.tree === undefined) throw new ProtocolError('UNAVAILABLE', 'the replica has not synced yet')
    const size = this.size
    return { leaves: size, log: size, roots: size, root: this.tree.root }
  }

  leaves(from: number, to: number): bigint[] {
    return (this.tree?.leaves ?? []).slice(from, to)
  }

  log(from: number, to: number): Uint8Array[] {
    return this.entries.slice(from, to)
  }

  /** Refused once the operator is known to have equivocated: neither history is safe to prove against. */
  roots(from: number, to: number): SignedRoot[] {
    if (this.proofs.length > 0) {
      throw new ProtocolError('UNAVAILABLE', `the operator equivocated (two signed roots for tree size ${this.proofs[0].size})`)
    }
    return this.rootHistory.slice(from, to)
  }
}

/** A mirror written before roots were signed holds bare roots: it cannot be served, only resynced. */
function storedSignedRoot(hex: string, size: number): SignedRoot {
  try {
    return decodeSignedRootAt(hex, size)
  } catch (error) {
    if (error instanceof SignedRootError) throw new InconsistentDataError(`stored root ${size - 1} is not a signed root; delete the mirror to resync`)
    throw error
  }
}

/** The JSON form of a proof, also written to the replica's data directory for publication. */
export function serializeProof(proof: EquivocationProof): string {
  const root = (signed: SignedRoot) => ({
    root: signed.root.toString(),
    signature: { R8: signed.signature.R8.map(String), S: signed.signature.S.toString() },
    encoded: encodeSignedRootRecord(signed),
  })
  return JSON.stringify({ size: proof.size, held: root(proof.held), other: root(proof.other), source: proof.source, detectedAt: proof.detectedAt })
}

function parseProof(text: string): EquivocationProof {
  const stored = JSON.parse(text) as { size: number; held: { encoded: string }; other: { encoded: string }; source: string; detectedAt: string }
  return {
    size: stored.size,
    held: decodeSignedRootAt(stored.held.encoded, stored.size),
    other: decodeSignedRootAt(stored.other.encoded, stored.size),
    source: stored.source,
    detectedAt: stored.detectedAt,
  }
}
