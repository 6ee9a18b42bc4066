/**
 * One LevelDB database, as the stores above it use it: string keys grouped by prefix,
 * string values, lists kept in order by zero-padded indices, and every state change one
 * atomic `batch`, so a crash leaves either all of a change or none of it. The key layouts
 * live with their owners (./operator-records.ts, src/daemon/replica-mirror.ts).
 */
import { Level } from 'level'
import { StoreError } from '../core/records.js'

export type BatchOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string }

/** Zero-padded so that LevelDB's byte order is numeric order. */
export function indexKey(prefix: string, index: number): string {
  return `${prefix}/${index.toString().padStart(10, '0')}`
}

export class LevelStore {
  private constructor(private readonly db: Level<string, string>) {}

  static async open(directory: string): Promise<LevelStore> {
    const db = new Level<string, string>(directory, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    try {
      await db.open()
    } catch (error) {
      throw new StoreError(`cannot open LevelDB at ${directory}: ${(error as Error).cause ?? (error as Error).message}`)
    }
    return new LevelStore(db)
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
