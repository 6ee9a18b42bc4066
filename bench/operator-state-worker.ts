/**
 * The worker half of bench/operator-state.ts: the roots, root signatures and key hashes of
 * one slice of a large operator state. It imports the crypto layer only, so that a worker
 * thread does not load snarkjs (whose own worker shim breaks inside a worker thread).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { hashPublicKey, type PublicKey } from '../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../src/crypto/merkle.js'
import { encodeSignedRoot, signRoot } from '../src/crypto/root-signature.js'

export const WORKER_TAG = 'maci-anon/bench-operator-state'

export interface SliceRequest {
  tag: typeof WORKER_TAG
  privateKey: Uint8Array
  depth: number
  leaves: bigint[]
  keys: PublicKey[]
  from: number
  to: number
}

export interface SliceResult {
  roots: string[]
  signatures: string[]
  keyHashes: string[]
}

/** Roots i in [from, to): the tree of the leaves before `from`, built in bulk, then one insert per root. */
function computeSlice(request: SliceRequest): SliceResult {
  const tree = IncrementalMerkleTree.fromLeaves(request.depth, request.leaves.slice(0, request.from))
  const roots: string[] = []
  const signatures: string[] = []
  for (let i = request.from; i < request.to; i++) {
    const node = tree.insert(request.leaves[i])
    roots.push(node.toString())
    signatures.push(Buffer.from(encodeSignedRoot(signRoot(request.privateKey, i + 1, node))).toString('hex'))
  }
  const keyHashes = request.keys.slice(request.from, request.to).map((key) => hashPublicKey(key).toString())
  return { roots, signatures, keyHashes }
}

const request = workerData as Partial<SliceRequest> | null
if (!isMainThread && request?.tag === WORKER_TAG && parentPort !== null) {
  parentPort.postMessage(computeSlice(request as SliceRequest))
}
