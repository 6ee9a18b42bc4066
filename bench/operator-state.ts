/**
 * A large operator state for the restart bench (`npm run bench -- operator`): `count`
 * signups and `count` deactivation leaves, with the root history and a signature on every
 * root, in the operator's own LevelDB layout (src/daemon/store.ts). Built once and kept in
 * build/bench/, since going through the operator's API one call at a time would take hours.
 *
 * What is real: the parameters and secrets (`Operator.initialize`), every public key (i+1)·B8
 * (prime-order points, not random ones: a restart never looks at which point it is), each
 * key's hash, every root (the root of the first i + 1 leaves) and its signature by the
 * operator key, and the frontier. What is filler: the leaves are random field elements and
 * the logged ciphertexts random bytes of the right length; a restart reads both and opens
 * neither. `Operator.open` checks the newest root against the leaves and the frontier, and
 * the bench opens the state once that way before timing anything.
 *
 * The n roots cost n·depth hashes and n signatures; they are split over one worker thread
 * per core (bench/operator-state-worker.ts). Expect minutes, once.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { add, BASE8 } from '../src/crypto/wasm-babyjubjub.js'
import { randomFieldElement } from '../src/crypto/field.js'
import { publicKeyToString, type PublicKey } from '../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../src/crypto/merkle.js'
import { MESSAGE_CIPHERTEXT_BYTES } from '../src/core/messages.js'
import { Operator } from '../src/daemon/operator.js'
import { indexKey, LevelStore, type BatchOperation } from '../src/store/level-store.js'
import { WORKER_TAG, type SliceRequest, type SliceResult } from './operator-state-worker.js'

const WRITE_CHUNK = 5_000

function computeInWorker(request: SliceRequest): Promise<SliceResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./operator-state-worker.js', import.meta.url), { workerData: request })
    worker.once('message', (result: SliceResult) => {
      resolve(result)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

async function build(directory: string, count: number): Promise<void> {
  await Operator.initialize(directory)
  const store = await LevelStore.open(directory)
  try {
    const secrets = JSON.parse((await store.get('secret/operator')) as string) as { privateKey: string }
    const privateKey = Uint8Array.from(Buffer.from(secrets.privateKey, 'hex'))
    const depth = (JSON.parse((await store.get('meta/params')) as string) as { depth: number }).depth
    const keys: PublicKey[] = []
    let point: PublicKey = BASE8
    for (let i = 0; i < count; i++, point = add(point, BASE8)) keys.push(point)
    const leaves = Array.from({ length: count }, () => randomFieldElement())
    const tree = IncrementalMerkleTree.fromLeaves(depth, leaves)
    const workers = availableParallelism()
    const size = Math.ceil(count / workers)
    const slices = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        computeInWorker({ tag: WORKER_TAG, privateKey, depth, leaves, keys, from: w * size, to: Math.min(count, (w + 1) * size) }),
      ),
    )
    const roots = slices.flatMap((slice) => slice.roots)
    const signatures = slices.flatMap((slice) => slice.signatures)
    const keyHashes = slices.flatMap((slice) => slice.keyHashes)
    for (let from = 0; from < count; from += WRITE_CHUNK) {
      const operations: BatchOperation[] = []
      for (let i = from; i < Math.min(count, from + WRITE_CHUNK); i++) {
        operations.push(
          { type: 'put', key: indexKey('signup', i), value: publicKeyToString(keys[i]) },
          { type: 'put', key: indexKey('keyhash', i), value: keyHashes[i] },
          // Every key has deactivated: the active set is one flag per key, as the operator keeps it.
          { type: 'put', key: `active/${keyHashes[i]}`, value: '0' },
          { type: 'put', key: indexKey('deactivation', i), value: randomBytes(MESSAGE_CIPHERTEXT_BYTES).toString('base64') },
          { type: 'put', key: indexKey('leaf', i), value: leaves[i].toString() },
          { type: 'put', key: indexKey('root', i), value: roots[i] },
          { type: 'put', key: indexKey('rootsig', i), value: signatures[i] },
        )
      }
      await store.batch(operations)
    }
    const frontier = tree.frontier().map((node) => (node === undefined ? null : node.toString()))
    await store.batch([{ type: 'put', key: 'meta/frontier', value: JSON.stringify(frontier) }])
  } finally {
    await store.close()
  }
}

/**
 * The directory of an operator state with `count` voters, built on first use. The suffix is
 * the layout's version: v2 holds keys of MACI's derivation, which v1 directories predate.
 */
export async function operatorStateOf(count: number, root: string): Promise<string> {
  const directory = join(root, `operator-${count}-v2`)
  if (existsSync(directory)) return directory
  const partial = `${directory}.partial`
  await rm(partial, { recursive: true, force: true })
  await mkdir(root, { recursive: true })
  await build(partial, count)
  await rename(partial, directory)
  return directory
}
