/**
 * The operator's message opening (src/core/message-opening.ts) on a worker thread. Opening
 * is most of a deactivation's CPU, and none of it depends on the operator's state, so the
 * daemon does it on a worker thread (`workerMessageOpener`) while its own thread inserts
 * leaves and signs roots for the calls before it. Tests and tools use the core's
 * `inThreadMessageOpener`, the same code in the calling thread. Both give the same answer,
 * and the same work for every known key (SECURITY.md, "constant work").
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { MessageOpener, MessageOpenerFactory, OpenedMessage } from '../core/message-opening.js'
import { MaciAnonError } from '../errors.js'

export class MessageOpenerError extends MaciAnonError {
  constructor(message: string) {
    super('MESSAGE_OPENER', message)
  }
}

/** What the worker (src/daemon/message-opener-worker.ts) is asked, and what it answers. */
export interface OpenRequest {
  id: number
  ciphertext: Uint8Array
  context: string
  verify: boolean
}

export interface OpenReply {
  id: number
  opened: OpenedMessage | undefined
}

/** A worker thread's module, and the Node options it needs. */
export interface WorkerSource {
  url: URL
  execArgv: string[]
}

/**
 * A module of this directory as a worker thread's. Compiled (dist/), it is plain
 * JavaScript; run from the TypeScript sources (tsx, vitest), the thread needs tsx's loader
 * to read it.
 */
export function workerSourceOf(url: URL): WorkerSource {
  if (!url.pathname.endsWith('.ts')) return { url, execArgv: [] }
  return { url, execArgv: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] }
}

const OPENER_WORKER = workerSourceOf(new URL(`./message-opener-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url))

/**
 * One worker thread, holding the decryption key, answering requests in order. If it dies,
 * the calls waiting on it fail with MessageOpenerError (the sessions that made them end
 * with INTERNAL, as for any fault of the daemon's own) and the next call starts a new one.
 */
export const workerMessageOpener: MessageOpenerFactory = (privateKey) => workerMessageOpenerOn(OPENER_WORKER, privateKey)

/** workerMessageOpener on another worker module that speaks OpenRequest and OpenReply. */
export function workerMessageOpenerOn(source: WorkerSource, privateKey: Uint8Array): MessageOpener {
  let worker: Worker | undefined
  let nextId = 0
  const waiting = new Map<number, { resolve: (opened: OpenedMessage | undefined) => void; reject: (error: Error) => void }>()
  const failAll = (reason: string) => {
    worker = undefined
    for (const { reject } of waiting.values()) reject(new MessageOpenerError(reason))
    waiting.clear()
  }
  const started = () => {
    if (worker !== undefined) return worker
    const fresh = new Worker(source.url, { workerData: { privateKey }, execArgv: source.execArgv })
    fresh.on('message', (reply: OpenReply) => {
      waiting.get(reply.id)?.resolve(reply.opened)
      waiting.delete(reply.id)
      // Idle, it must not keep the process alive; busy, it must.
      if (waiting.size === 0) fresh.unref()
    })
    fresh.on('error', (error) => failAll(`the message-opening worker failed: ${error.message}`))
    fresh.on('exit', (code) => {
      if (worker === fresh) failAll(`the message-opening worker exited with code ${code}`)
    })
    worker = fresh
    return fresh
  }
  return {
    open: (ciphertext, context, verify) =>
      new Promise((resolve, reject) => {
        const id = nextId++
        waiting.set(id, { resolve, reject })
        const request: OpenRequest = { id, ciphertext: Uint8Array.from(ciphertext), context, verify }
        const running = started()
        running.ref()
        running.postMessage(request)
      }),
    close: async () => {
      const running = worker
      worker = undefined
      failAll('the operator is closing')
      await running?.terminate()
    },
  }
}
