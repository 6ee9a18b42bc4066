/**
 * The operator's state in LevelDB (DESIGN 2.1). One database, keys grouped by prefix:
 *
 *   meta/params                 public parameters (JSON, src/core/parameters.ts)
 *   secret/operator             operator key, leaf key K and blinding kappa (never leaves the store)
 *   meta/frontier               the tree's frontier after the last leaf (a restart appends from it)
 *   signup/<i>                  signed-up public keys, in order (public)
 *   keyhash/<i>                 the hash of signup i, so a restart needs no hashing
 *   active/<pubKeyHash>         the active key set (private)
 *   deactivation/<i>            encrypted deactivation messages, arrival order (public)
 *   leaf/<i>, root/<i>          leaf list and the root after leaf i (public)
 *   rootsig/<i>                 the operator's signature of root i for tree size i + 1 (public)
 *   vote/<i>                    encrypted vote messages, arrival order
 *   nullifier/<N>, link/<L>     spent nullifiers and links -> attempt index
 *   attempt/<i>                 public reactivation record: N, L, membership proof
 *   attempt-private/<i>         leaf-opening proof, new key, whether it was activated
 *
 * Each OperatorChange of the core (src/core/operator-state.ts) is written as one batch, with
 * one shape per kind whatever the outcome (SECURITY.md, "constant work"). On open the state
 * is read as stored: what was checked before it was written (keys' curve and subgroup, the
 * tree) is not checked again, and encoded values stay encoded until served.
 */
import { mkdir } from 'node:fs/promises'
import { hashPublicKey, publicKeyFromString } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { OperatorError } from '../core/messages.js'
import { attemptedKeyHashOf, type OperatorChange, type OperatorSecrets, type OperatorSnapshot } from '../core/operator-state.js'
import { parametersFromRecord, parametersToRecord, type ParametersRecord, type PublicParameters } from '../core/parameters.js'
import type { PrivateAttempt, PublicAttempt } from '../core/reactivation.js'
import { decodeFrontier, encodeFrontier } from '../core/records.js'
import { indexKey, LevelStore, type BatchOperation } from './level-store.js'

/**
 * The secrets as stored: hex for the private key, decimal strings for K and kappa.
 * `derivation` says the private key is one of MACI's derivation (src/crypto/keys.ts);
 * maci-anon 0.1 wrote none, and its keys give other public keys under MACI's.
 */
interface SecretsRecord {
  derivation: 'maci'
  privateKey: string
  leafKey: string
  leafKeyBlinding: string
}

const ACTIVE = '1'
const INACTIVE = '0'

/** What an operator directory holds, as loaded by OperatorRecords.open. */
export interface LoadedOperator {
  records: OperatorRecords
  parameters: PublicParameters
  secrets: OperatorSecrets
  snapshot: OperatorSnapshot
}

export class OperatorRecords {
  private constructor(private readonly store: LevelStore) {}

  /** Writes a new operator directory's parameters and secrets; refuses an initialised one. */
  static async create(directory: string, parameters: PublicParameters, secrets: OperatorSecrets): Promise<void> {
    await mkdir(directory, { recursive: true })
    const store = await LevelStore.open(directory)
    try {
      if ((await store.get('meta/params')) !== undefined) throw new OperatorError(`${directory} is already initialised`, { local: true })
      const stored: SecretsRecord = {
        derivation: 'maci',
        privateKey: Buffer.from(secrets.privateKey).toString('hex'),
        leafKey: secrets.K.toString(),
        leafKeyBlinding: secrets.kappa.toString(),
      }
      await store.batch([
        { type: 'put', key: 'meta/params', value: JSON.stringify(parametersToRecord(parameters)) },
        { type: 'put', key: 'secret/operator', value: JSON.stringify(stored) },
      ])
    } finally {
      await store.close()
    }
  }

  /**
   * Reads an operator directory. Directories written before the frontier and the signup
   * hashes were stored get them once, here, in one batch: the full rebuild and the hashing
   * are what made a restart take minutes at 100k voters.
   */
  static async open(directory: string): Promise<LoadedOperator> {
    const store = await LevelStore.open(directory)
    try {
      const storedParameters = await store.get('meta/params')
      const storedSecrets = await store.get('secret/operator')
      if (storedParameters === undefined || storedSecrets === undefined) {
        throw new OperatorError(`${directory} is not an initialised operator directory (run "operator init")`, { local: true })
      }
      const parameters = parametersFromRecord(JSON.parse(storedParameters) as ParametersRecord)
      const secrets = JSON.parse(storedSecrets) as SecretsRecord
      if (secrets.derivation !== 'maci') {
        throw new OperatorError(
          `${directory} was made by maci-anon 0.1 with its old key derivation, which MACI does not share: ` +
            're-initialise it with "operator init" in a new directory (voters need new keys too)',
          { local: true },
        )
      }
      const [leaves, roots, rootSignatures, signups, keyHashes, frontier, active, deactivations, votes, nullifiers, links, attempts] = await Promise.all([
        store.list('leaf'),
        store.list('root'),
        store.list('rootsig'),
        store.list('signup'),
        store.list('keyhash'),
        store.get('meta/frontier'),
        store.entries('active'),
        store.list('deactivation'),
        store.list('vote'),
        store.entries('nullifier'),
        store.entries('link'),
        store.list('attempt'),
      ])
      const leafValues = leaves.map(BigInt)
      const tree =
        frontier === undefined
          ? IncrementalMerkleTree.fromLeaves(parameters.depth, leafValues)
          : IncrementalMerkleTree.fromFrontier(parameters.depth, leafValues, decodeFrontier(frontier))
      const missingHashes = signups.slice(keyHashes.length).map((key) => hashPublicKey(publicKeyFromString(key)).toString())
      const upgrade: BatchOperation[] = [
        ...(frontier === undefined && leafValues.length > 0 ? [{ type: 'put' as const, key: 'meta/frontier', value: encodeFrontier(tree.frontier()) }] : []),
        ...missingHashes.map((hash, i) => ({ type: 'put' as const, key: indexKey('keyhash', keyHashes.length + i), value: hash })),
      ]
      if (upgrade.length > 0) await store.batch(upgrade)
      return {
        records: new OperatorRecords(store),
        parameters,
        secrets: {
          privateKey: Uint8Array.from(Buffer.from(secrets.privateKey, 'hex')),
          K: BigInt(secrets.leafKey),
          kappa: BigInt(secrets.leafKeyBlinding),
        },
        snapshot: {
          tree,
          roots: roots.map(BigInt),
          rootSignatures,
          signups,
          signupHashes: [...keyHashes, ...missingHashes].map(BigInt),
          attemptedKeyHashes: attempts.map((record) => attemptedKeyHashOf(JSON.parse(record) as PublicAttempt)),
          // Every key that ever held a slot keeps its entry; '1' marks the active ones.
          activeKeys: active.filter(([, flag]) => flag === ACTIVE).map(([key]) => BigInt(key)),
          deactivations,
          votes,
          nullifiers: nullifiers.map(([key]) => BigInt(key)),
          links: links.map(([key]) => BigInt(key)),
          attempts: attempts.length,
        },
      }
    } catch (error) {
      await store.close()
      throw error
    }
  }

  /** Writes one change of the core as one atomic batch. */
  async commit(change: OperatorChange): Promise<void> {
    await this.store.batch(batchOf(change))
  }

  /** The full record of one reactivation attempt, public and private parts. Operator-only. */
  async attempt(attempt: number): Promise<(PublicAttempt & PrivateAttempt) | undefined> {
    const [publicRecord, privateRecord] = await Promise.all([
      this.store.get(indexKey('attempt', attempt)),
      this.store.get(indexKey('attempt-private', attempt)),
    ])
    if (publicRecord === undefined || privateRecord === undefined) return undefined
    return { ...(JSON.parse(publicRecord) as PublicAttempt), ...(JSON.parse(privateRecord) as PrivateAttempt) }
  }

  /** Every attempt, in order, public and private parts. */
  async attempts(): Promise<Array<PublicAttempt & PrivateAttempt>> {
    const [publicRecords, privateRecords] = await Promise.all([this.store.list('attempt'), this.store.list('attempt-private')])
    return publicRecords.map((record, i) => ({ ...(JSON.parse(record) as PublicAttempt), ...(JSON.parse(privateRecords[i]) as PrivateAttempt) }))
  }

  async close(): Promise<void> {
    await this.store.close()
  }
}

function batchOf(change: OperatorChange): BatchOperation[] {
  switch (change.kind) {
    case 'signup':
      return [
        { type: 'put', key: indexKey('signup', change.stateIndex), value: change.publicKey },
        { type: 'put', key: indexKey('keyhash', change.stateIndex), value: change.keyHash.toString() },
        { type: 'put', key: `active/${change.keyHash}`, value: ACTIVE },
      ]
    case 'deactivation': {
      const leafIndex = change.insert.size
      return [
        { type: 'put', key: indexKey('deactivation', change.index), value: change.ciphertext },
        { type: 'put', key: indexKey('leaf', leafIndex), value: change.leaf.toString() },
        { type: 'put', key: indexKey('root', leafIndex), value: change.insert.root.toString() },
        { type: 'put', key: indexKey('rootsig', leafIndex), value: change.signedRoot },
        // What a restart needs to append without rebuilding the tree from every leaf.
        { type: 'put', key: 'meta/frontier', value: encodeFrontier(change.insert.frontier) },
        { type: 'put', key: `active/${change.keyHash}`, value: change.stillActive ? ACTIVE : INACTIVE },
      ]
    }
    case 'vote':
      return [{ type: 'put', key: indexKey('vote', change.index), value: change.ciphertext }]
    case 'reactivation':
      return [
        { type: 'put', key: indexKey('attempt', change.attempt), value: JSON.stringify(change.publicRecord) },
        { type: 'put', key: indexKey('attempt-private', change.attempt), value: JSON.stringify(change.privateRecord) },
        { type: 'put', key: `nullifier/${change.nullifier}`, value: String(change.attempt) },
        { type: 'put', key: `link/${change.link}`, value: String(change.attempt) },
        { type: 'put', key: `active/${change.newKeyHash}`, value: change.active ? ACTIVE : INACTIVE },
      ]
  }
}
