/**
 * /maci-anon/sync/1.0.0: the operator's public data: parameters, the deactivation log, the
 * leaf list and the root history, in ranges. Any number of requests run on one stream, so a
 * voter fetching the whole leaf list pays for one stream, not one per range. Served by the
 * operator and by replicas alike (both are a SyncSource).
 *
 * Each ROOTS item is a root signed by the operator (src/crypto/root-signature.ts, 128 bytes);
 * item i is the root for tree size i + 1. Whoever serves them, they carry the operator's word,
 * so two different signed roots for one size prove that the operator equivocated.
 */
import { decodeSignedRoot, encodeSignedRoot, SignedRootError, type SignedRoot } from '../crypto/root-signature.js'
import type { PublicParameters } from '../core/parameters.js'
import { openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { decodeAs, fieldFromBytes, fieldToWire, parametersFromWire, parametersToWire } from './codec.js'
import { ProtocolError } from './errors.js'
import { SyncQuery, SyncRequest, SyncResponse } from './generated/schema.js'
import { SYNC_RANGE_ITEMS, SYNC_RESPONSE_BUDGET } from './ids.js'
import { nextRequest, type ProtocolService } from './server.js'
import type { StreamChannel } from './stream-channel.js'

export interface SyncHead {
  /** Entries in the leaf list and in the deactivation log (one leaf per log entry). */
  leaves: number
  log: number
  /** Entries in the root history, and the latest root. */
  roots: number
  root: bigint
}

export interface SyncSource {
  parameters(): PublicParameters
  head(): SyncHead
  leaves(from: number, to: number): bigint[]
  log(from: number, to: number): Uint8Array[]
  /** Entry i is the operator's signed root for tree size i + 1. */
  roots(from: number, to: number): SignedRoot[]
}

export type RangeKind = 'leaves' | 'log' | 'roots'

const RANGE_QUERIES: Partial<Record<SyncQuery, RangeKind>> = {
  [SyncQuery.LEAVES]: 'leaves',
  [SyncQuery.LOG]: 'log',
  [SyncQuery.ROOTS]: 'roots',
}

const QUERY_NAMES: Record<SyncQuery, string> = {
  [SyncQuery.SYNC_QUERY_UNSPECIFIED]: 'unspecified',
  [SyncQuery.PARAMETERS]: 'parameters',
  [SyncQuery.HEAD]: 'head',
  [SyncQuery.LEAVES]: 'leaves',
  [SyncQuery.LOG]: 'log',
  [SyncQuery.ROOTS]: 'roots',
}

export function syncService(source: SyncSource): ProtocolService {
  return {
    name: 'sync',
    async serve(channel, context) {
      for (let bytes = await nextRequest(channel); bytes !== undefined; bytes = await nextRequest(channel)) {
        const request = decodeAs(SyncRequest, bytes, 'sync request')
        const response = answer(source, request)
        // Ranges count the items served; parameters and head count one each.
        context.count(QUERY_NAMES[request.query], RANGE_QUERIES[request.query] === undefined ? 1 : response.items.length)
        await channel.send(SyncResponse.encode(response))
      }
    },
  }
}

function answer(source: SyncSource, request: SyncRequest): SyncResponse {
  if (request.query === SyncQuery.PARAMETERS) {
    return { parameters: parametersToWire(source.parameters()), from: 0, items: [] }
  }
  const head = source.head()
  if (request.query === SyncQuery.HEAD) {
    return { head: { ...head, root: fieldToWire(head.root) }, from: 0, items: [] }
  }
  const kind = RANGE_QUERIES[request.query]
  if (kind === undefined) throw new ProtocolError('MALFORMED', 'unknown sync query')
  const size = head[kind]
  if (request.to < request.from || request.from > size) {
    throw new ProtocolError('OUT_OF_RANGE', `[${request.from}, ${request.to}) against ${size} ${kind}`)
  }
  const to = Math.min(request.to, size, request.from + SYNC_RANGE_ITEMS[kind])
  const items = rangeItems(source, kind, request.from, to)
  let budget = SYNC_RESPONSE_BUDGET
  let count = 0
  // Each item costs its bytes plus a few of protobuf framing.
  while (count < items.length && budget >= items[count].length + 8) budget -= items[count++].length + 8
  return { from: request.from, items: items.slice(0, count) }
}

function rangeItems(source: SyncSource, kind: RangeKind, from: number, to: number): Array<Uint8Array<ArrayBuffer>> {
  if (from === to) return []
  if (kind === 'log') return source.log(from, to).map((entry) => Uint8Array.from(entry))
  if (kind === 'roots') return source.roots(from, to).map((signed) => Uint8Array.from(encodeSignedRoot(signed)))
  return source.leaves(from, to).map(fieldToWire)
}

export type SyncProgress = (kind: RangeKind, done: number, total: number) => void

/** A client session: one stream, many queries. Close it when done. */
export class SyncClient {
  private constructor(private readonly channel: StreamChannel) {}

  static async open(dialer: Dialer, target: Target, options?: OpenOptions): Promise<SyncClient> {
    return new SyncClient(await openChannel(dialer, target, 'sync', options))
  }

  async parameters(): Promise<PublicParameters> {
    const response = await this.query({ query: SyncQuery.PARAMETERS, from: 0, to: 0 })
    return parametersFromWire(response.parameters)
  }

  async head(): Promise<SyncHead> {
    const { head } = await this.query({ query: SyncQuery.HEAD, from: 0, to: 0 })
    if (head === undefined) throw new ProtocolError('MALFORMED', 'sync head is missing')
    return { leaves: head.leaves, log: head.log, roots: head.roots, root: fieldFromBytes(head.root, 'head root') }
  }

  async leaves(from: number, to: number, onProgress?: SyncProgress): Promise<bigint[]> {
    const items = await this.range('leaves', from, to, onProgress)
    return items.map((item, i) => fieldFromBytes(item, `leaf ${from + i}`))
  }

  /**
   * Signed roots for tree sizes from + 1 .. to, decoded but not verified: only the caller
   * knows which operator key to check them against.
   */
  async roots(from: number, to: number, onProgress?: SyncProgress): Promise<SignedRoot[]> {
    const items = await this.range('roots', from, to, onProgress)
    return items.map((item, i) => {
      try {
        return decodeSignedRoot(item, from + i + 1)
      } catch (error) {
        if (error instanceof SignedRootError) throw new ProtocolError('MALFORMED', error.message)
        throw error
      }
    })
  }

  log(from: number, to: number, onProgress?: SyncProgress): Promise<Uint8Array[]> {
    return this.range('log', from, to, onProgress)
  }

  close(): Promise<void> {
    return this.channel.close()
  }

  /** Fetch [from, to) in as many responses as the server's budget needs. */
  private async range(kind: RangeKind, from: number, to: number, onProgress?: SyncProgress): Promise<Uint8Array[]> {
    const query = { leaves: SyncQuery.LEAVES, log: SyncQuery.LOG, roots: SyncQuery.ROOTS }[kind]
    const items: Uint8Array[] = []
    while (from + items.length < to) {
      const next = from + items.length
      const response = await this.query({ query, from: next, to })
      if (response.from !== next || response.items.length > to - next) {
        throw new ProtocolError('UNEXPECTED', `sync answered [${response.from}, +${response.items.length}) for [${next}, ${to})`)
      }
      if (response.items.length === 0) {
        throw new ProtocolError('UNEXPECTED', `sync stopped at ${next} of ${to} ${kind}`)
      }
      items.push(...response.items)
      onProgress?.(kind, items.length, to - from)
    }
    return items
  }

  private async query(request: SyncRequest): Promise<SyncResponse> {
    await this.channel.send(SyncRequest.encode(request))
    return decodeAs(SyncResponse, await this.channel.receive(), 'sync response')
  }
}
