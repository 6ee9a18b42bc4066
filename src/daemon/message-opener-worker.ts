/**
 * The thread behind workerMessageOpener (src/daemon/message-opener.ts): opens each
 * ciphertext it is sent with the key it was started with, in arrival order. It imports
 * only what opening needs, not the operator or the prover.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openMessage } from '../core/message-opening.js'
import type { OpenReply, OpenRequest } from './message-opener.js'

const { privateKey } = workerData as { privateKey: Uint8Array }

parentPort?.on('message', (request: OpenRequest) => {
  const reply: OpenReply = { id: request.id, opened: openMessage(privateKey, request.ciphertext, request.context, request.verify) }
  parentPort?.postMessage(reply)
})
