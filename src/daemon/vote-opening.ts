/**
 * The tally's per-vote work, spread over the machine's cores. Every logged vote costs the
 * same: an ECDH and an AES-GCM opening (src/crypto/encryption.ts), an EdDSA-Poseidon
 * verification and two Poseidon hashes. Each vote is judged on its own, so a large log is
 * cut into one slice per core, the first judged in this thread while worker threads (this
 * same module, started with the slice in workerData) judge the others. The operator then
 * applies the active set and "the last vote counts" in log order, as before.
 */
import { availableParallelism } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { judgeVote, type JudgedVote } from '../core/message-opening.js'
import { workerSourceOf } from './message-opener.js'

/** Below this many votes per slice, starting a worker (about a second of module loading) costs more than it saves. */
const MIN_VOTES_PER_SLICE = 1_000

const WORKER_TAG = 'maci-anon/judge-votes'

interface SliceRequest {
  tag: typeof WORKER_TAG
  privateKey: Uint8Array
  context: string
  ciphertexts: Uint8Array[]
}

const judgeSlice = (privateKey: Uint8Array, ciphertexts: readonly Uint8Array[], context: string) =>
  ciphertexts.map((ciphertext) => judgeVote(privateKey, ciphertext, context))

function judgeInWorker(request: SliceRequest): Promise<Array<JudgedVote | undefined>> {
  return new Promise((resolve, reject) => {
    const { url, execArgv } = workerSourceOf(new URL(import.meta.url))
    const worker = new Worker(url, { workerData: request, execArgv })
    worker.once('message', (judged: Array<JudgedVote | undefined>) => {
      resolve(judged)
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`a tally worker exited with code ${code} before answering`)))
  })
}

/** judgeVote for every ciphertext, in order, on up to one thread per core. */
export async function judgeVotes(privateKey: Uint8Array, ciphertexts: readonly Uint8Array[], context: string): Promise<Array<JudgedVote | undefined>> {
  const slices = Math.max(1, Math.min(availableParallelism(), Math.floor(ciphertexts.length / MIN_VOTES_PER_SLICE)))
  const size = Math.ceil(ciphertexts.length / slices)
  const others = Array.from({ length: slices - 1 }, (_, i) =>
    judgeInWorker({ tag: WORKER_TAG, privateKey, context, ciphertexts: ciphertexts.slice((i + 1) * size, (i + 2) * size) }),
  )
  // This thread's slice runs while the workers load; a failed worker fails the tally.
  const first = judgeSlice(privateKey, ciphertexts.slice(0, size), context)
  return first.concat(...(await Promise.all(others)))
}

const request = workerData as Partial<SliceRequest> | null
if (!isMainThread && request?.tag === WORKER_TAG && parentPort !== null) {
  parentPort.postMessage(judgeSlice(request.privateKey as Uint8Array, request.ciphertexts as Uint8Array[], request.context as string))
}
