/**
 * The operator of the reactivation bench, as its own process: it serves one 2PC session per
 * "session" request from its parent, over Node's IPC, so voter and operator each get a core
 * of the machine as they would on two machines. Reports each session's outcome, phase start
 * times and bytes sent.
 */
import { performance } from 'node:perf_hooks'
import { Operator } from '../src/daemon/operator.js'
import { EndpointChannel } from '../src/mpc/memory-channel.js'
import { serveReactivation } from '../src/protocol/reactivation-session.js'
import { releaseProverThreads } from '../src/zk/groth16.js'

export type BenchIpcMessage =
  | { kind: 'ready' }
  | { kind: 'session' }
  | { kind: 'data'; bytes: Uint8Array | null }
  | { kind: 'report'; report: OperatorSessionReport }
  | { kind: 'close' }

export interface OperatorSessionReport {
  activated: boolean
  /** Absolute times (performance.timeOrigin + now) at which each phase began. */
  marks: Record<string, number>
  end: number
  bytesSent: number
}

const send = (message: BenchIpcMessage) => process.send?.(message)
const now = () => performance.timeOrigin + performance.now()
const operator = await Operator.open(process.argv[2])
let deliver: (bytes: Uint8Array | null) => void = () => {}

process.on('message', async (message: BenchIpcMessage) => {
  if (message.kind === 'data') deliver(message.bytes)
  if (message.kind === 'close') {
    await operator.close()
    await releaseProverThreads()
    process.disconnect()
  }
  if (message.kind !== 'session') return
  const channel = new EndpointChannel(
    { post: (bytes) => send({ kind: 'data', bytes }), subscribe: (listener) => (deliver = listener) },
    { timeoutMs: 120_000 },
  )
  const marks: Record<string, number> = {}
  const outcome = await serveReactivation(channel, operator, { onPhase: (phase) => (marks[phase] = now()) })
  send({ kind: 'report', report: { activated: outcome.activated, marks, end: now(), bytesSent: channel.stats.bytesSent } })
})
send({ kind: 'ready' })
