/**
 * The operator's state in LevelDB (DESIGN 2.1). One database, keys grouped by prefix:
 *
 *   meta/params                 public parameters (JSON)
 *   secret/operator             operator key, leaf key K and blinding kappa (never leaves the store)
 *   meta/frontier               the tree's frontier after the last leaf (a restart appends from it)
 *   signup/<i>                  signed-up public keys, in order (public)
 *   keyhash/<i>                 the hash of signup i, so a restart needs no hashing
 *   active/<pubKeyHash>         the active key set (private)
 *   deactivation/<i>            encrypted deactivation messages, arrival order (public)
 *   leaf/<i>, root/<i>          leaf list and the root after leaf i (public)
 *   vote/<i>                    encrypted vote messages, arrival order
 *   nullifier/<N>, link/<L>     spent nullifiers and links -> attempt index
 *   attempt/<i>                 public reactivation record: N, L, membership proof
 *   attempt-private/<i>         leaf-opening proof, new key, whether it was activated
 *
 * Every state change is one `db.batch`, so a crash leaves either all of it or none.
 * The whole state is read into memory on open, as stored: what was checked before it was
 * written (keys' curve and subgroup, the tree) is not checked again, and encoded values
 * are decoded when they are served. The indices make each list's order explicit.
 */
import { Level } from 'level'

export type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string }

export class StoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreError'
  }
}

/** Zero-padded so that LevelDB's byte order is numeric order. */
export function indexKey(prefix: string, index: number): string {
  return `${prefix}/${index.toString().padStart(10, '0')}`
}

export class OperatorStore {
  private constructor(private readonly db: Level<string, string>) {}

  static async open(directory: string): Promise<OperatorStore> {
    const db = new Level<string, string>(directory, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    try {
      await db.open()
    } catch (error) {
      throw new StoreError(`cannot open LevelDB at ${directory}: ${(error as Error).cause ?? (error as Error).message}`)
    }
    return new OperatorStore(db)
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.db.get(key)) ?? undefined
  }

  /** Values under `prefix/`, in key order. */
  async list(prefix: string): Promise<string[]> {
    const values: string[] = []
    for await (const value of this.db.values({ gt: `${prefix}/`, lt: `${prefix}/\xff` })) values.push(value)
    return values
  }

  /** Key/value pairs under `prefix/`, in key order, with the prefix stripped from keys. */
  async entries(prefix: string): Promise<Array<[string, string]>> {
    const pairs: Array<[string, string]> = []
    for await (const [key, value] of this.db.iterator({ gt: `${prefix}/`, lt: `${prefix}/\xff` })) {
      pairs.push([key.slice(prefix.length + 1), value])
    }
    return pairs
  }

  async batch(operations: BatchOperation[]): Promise<void> {
    await this.db.batch(operations)
  }
}
