/**
 * A replica's copy of the operator's public data (parameters, leaves, root history,
 * deactivation log) in LevelDB. Nothing enters it unchecked: every leaf is inserted into an
 * IncrementalMerkleTree and the resulting root must equal the operator's published root for
 * that position, so a replica never serves a leaf list that disagrees with the root history
 * voters prove against.
 */
import { publicKeyFromString, publicKeyToString } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { ProtocolError } from '../protocol/errors.js'
import type { SyncHead, SyncSource } from '../protocol/sync.js'
import type { PublicParameters } from './operator.js'
import { indexKey, OperatorStore, type BatchOperation } from './store.js'

/** The operator's data contradicts itself or what this replica already holds. */
export class InconsistentDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InconsistentDataError'
  }
}

export interface MirrorUpdate {
  /** Leaves, roots and log entries from position `size` on, equally many of each. */
  leaves: bigint[]
  roots: bigint[]
  log: Uint8Array[]
}

export class ReplicaMirror implements SyncSource {
  private params: PublicParameters | undefined
  private tree: IncrementalMerkleTree | undefined
  private readonly rootHistory: bigint[]
  private readonly entries: Uint8Array[]

  private constructor(
    private readonly store: OperatorStore,
    params: PublicParameters | undefined,
    leaves: bigint[],
    roots: bigint[],
    log: Uint8Array[],
  ) {
    this.params = params
    this.rootHistory = roots
    this.entries = log
    if (params !== undefined) {
      this.tree = IncrementalMerkleTree.fromLeaves(params.depth, leaves)
      if (leaves.length !== roots.length || leaves.length !== log.length || (leaves.length > 0 && this.tree.root !== roots.at(-1))) {
        throw new InconsistentDataError('the stored mirror does not match itself; delete it to resync')
      }
    }
  }

  static async open(directory: string): Promise<ReplicaMirror> {
    const store = await OperatorStore.open(directory)
    try {
      const params = await store.get('meta/params')
      const [leaves, roots, log] = await Promise.all([store.list('leaf'), store.list('root'), store.list('log')])
      return new ReplicaMirror(
        store,
        params === undefined ? undefined : parseParameters(params),
        leaves.map(BigInt),
        roots.map(BigInt),
        log.map((entry) => Uint8Array.from(Buffer.from(entry, 'base64'))),
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

  /** Adopt the operator's parameters on first sync; afterwards they must never change. */
  async adoptParameters(params: PublicParameters): Promise<void> {
    if (this.params !== undefined) {
      if (JSON.stringify(serializeParameters(params)) !== JSON.stringify(serializeParameters(this.params))) {
        throw new InconsistentDataError('the operator now publishes different parameters')
      }
      return
    }
    await this.store.batch([{ type: 'put', key: 'meta/params', value: JSON.stringify(serializeParameters(params)) }])
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
    const operations: BatchOperation[] = []
    let failure: InconsistentDataError | undefined
    let accepted = 0
    for (; accepted < count; accepted++) {
      const position = this.size + accepted
      if (tree.rootAfterInsert(update.leaves[accepted]) !== update.roots[accepted]) {
        failure = new InconsistentDataError(`leaf ${position} does not produce the published root ${position}`)
        break
      }
      tree.insert(update.leaves[accepted])
      operations.push(
        { type: 'put', key: indexKey('leaf', position), value: update.leaves[accepted].toString() },
        { type: 'put', key: indexKey('root', position), value: update.roots[accepted].toString() },
        { type: 'put', key: indexKey('log', position), value: Buffer.from(update.log[accepted]).toString('base64') },
      )
    }
    if (operations.length > 0) await this.store.batch(operations)
    this.rootHistory.push(...update.roots.slice(0, accepted))
    this.entries.push(...update.log.slice(0, accepted))
    if (failure !== undefined) throw failure
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

  roots(from: number, to: number): bigint[] {
    return this.rootHistory.slice(from, to)
  }
}

function serializeParameters(params: PublicParameters) {
  return {
    operatorPublicKey: publicKeyToString(params.operatorPublicKey),
    keyCommitment: params.keyCommitment.toString(),
    depth: params.depth,
    vkeyHashes: { membership: params.vkeyHashes.membership, leafOpening: params.vkeyHashes.leafOpening },
  }
}

function parseParameters(text: string): PublicParameters {
  const stored = JSON.parse(text) as ReturnType<typeof serializeParameters>
  return {
    operatorPublicKey: publicKeyFromString(stored.operatorPublicKey),
    keyCommitment: BigInt(stored.keyCommitment),
    depth: stored.depth,
    vkeyHashes: stored.vkeyHashes,
  }
}
