/**
 * `npm run bench -- mpc`: throughput of the 2PC engine (src/mpc) next to the native anchors
 * named in issue 3, with the ratio.
 *
 * Each protocol runs twice:
 * - one thread: both parties in this thread over an in-memory channel, so the time is the
 *   sum of both parties' work;
 * - two threads: party 1 in a worker thread, over an EndpointChannel on a MessagePort, so
 *   each party has a core, as in deployment (voter and operator on different machines) and as the native
 *   anchors are measured (one process per party).
 * Garbling and evaluation are local computations and are timed separately in one thread.
 * Every figure is the median of several runs after a warm-up run.
 */
import { randomBytes } from 'node:crypto'
import { MessageChannel, type MessagePort, Worker, isMainThread, workerData } from 'node:worker_threads'
import { baseOtReceive, baseOtSend } from '../src/mpc/base-ot.js'
import { type Circuit, CircuitBuilder } from '../src/mpc/garbled/circuit.js'
import { equal, secureEquality } from '../src/mpc/garbled/equality.js'
import { evaluate, garble } from '../src/mpc/garbled/half-gates.js'
import { EndpointChannel, type MessageEndpoint, memoryChannelPair } from '../src/mpc/memory-channel.js'
import { correlatedOtReceive, correlatedOtSend } from '../src/mpc/ot-extension.js'
import { type MpcSession, agreeParameters } from '../src/mpc/session.js'
import { generateTriples } from '../src/mpc/triples.js'
import { TweakableHash } from '../src/mpc/tweakable-hash.js'

const RUNS = 5
const COT_BATCH = 1 << 20
const TRIPLE_BATCH = 2048
const EQUALITY_RUNS = 20
/** 4096 independent 254-bit equalities: about a million AND gates in 8 layers. */
const GARBLE_COPIES = 4096

interface PartyTimings {
  baseOtMs: number
  cotPerSecond: number
  triplesPerSecond: number
  bytesPerTriple: number
  equalityMs: number
}

/** A worker_threads MessagePort as the endpoint of an EndpointChannel. */
function portEndpoint(port: MessagePort): MessageEndpoint {
  return {
    post: (message) => port.postMessage(message),
    subscribe: (listener) => port.on('message', listener),
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Both parties run this same script; the barriers make party 0's clock cover both parties' work. */
async function partyScript(session: MpcSession): Promise<PartyTimings> {
  const barrier = () => agreeParameters(session, new Uint8Array(0))
  const timed = async (run: () => Promise<unknown>) => {
    await barrier()
    const started = performance.now()
    await run()
    await barrier()
    return performance.now() - started
  }
  const isSender = session.party === 0
  const baseOtMs = await timed(() => (isSender ? baseOtReceive(session, randomChoices(128)) : baseOtSend(session, 128)))

  const choices = randomChoices(COT_BATCH)
  const cot = () => (isSender ? correlatedOtSend(session, COT_BATCH) : correlatedOtReceive(session, choices))
  await cot()
  const cotMs = await repeat(() => timed(cot))

  await generateTriples(session, TRIPLE_BATCH, { otSender: 0 })
  const bytesBefore = session.channel.stats.bytesSent + session.channel.stats.bytesReceived
  const tripleMs = await repeat(() => timed(() => generateTriples(session, TRIPLE_BATCH, { otSender: 0 })))
  const bytesAfter = session.channel.stats.bytesSent + session.channel.stats.bytesReceived
  // The barriers add 2 x 33 bytes per direction per run; they are not part of the triples.
  const bytesPerTriple = (bytesAfter - bytesBefore - RUNS * 4 * 33) / (RUNS * TRIPLE_BATCH)

  const value = BigInt('0x' + randomBytes(31).toString('hex'))
  const equality = () => secureEquality(session, isSender ? 'garbler' : 'evaluator', value)
  await equality()
  const equalityMs: number[] = []
  for (let i = 0; i < EQUALITY_RUNS; i++) equalityMs.push(await timed(equality))

  return {
    baseOtMs,
    cotPerSecond: COT_BATCH / (cotMs / 1000),
    triplesPerSecond: TRIPLE_BATCH / (tripleMs / 1000),
    bytesPerTriple,
    equalityMs: median(equalityMs),
  }
}

async function repeat(run: () => Promise<number>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) times.push(await run())
  return median(times)
}

function randomChoices(count: number): Uint8Array {
  return Uint8Array.from(randomBytes(count), (byte) => byte & 1)
}

async function oneThread(): Promise<PartyTimings> {
  const [channel0, channel1] = memoryChannelPair({ timeoutMs: 120_000, maxBytes: 1 << 21 })
  const sessionId = randomBytes(32)
  const [timings] = await Promise.all([
    partyScript({ channel: channel0, party: 0, sessionId }),
    partyScript({ channel: channel1, party: 1, sessionId }),
  ])
  return timings
}

async function twoThreads(): Promise<PartyTimings> {
  const { port1, port2 } = new MessageChannel()
  const sessionId = randomBytes(32)
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { mpcBenchPort: port2, sessionId },
    transferList: [port2],
  })
  const failed = new Promise<never>((_, reject) => worker.once('error', reject))
  const timings = await Promise.race([partyScript({ channel: new EndpointChannel(portEndpoint(port1), { timeoutMs: 120_000 }), party: 0, sessionId }), failed])
  await worker.terminate()
  return timings
}

function wideEqualityCircuit(): Circuit {
  const bits = 254
  const builder = new CircuitBuilder(GARBLE_COPIES * bits, GARBLE_COPIES * bits)
  const outputs = Array.from({ length: GARBLE_COPIES }, (_, c) =>
    equal(builder, builder.garblerInputs.slice(c * bits, (c + 1) * bits), builder.evaluatorInputs.slice(c * bits, (c + 1) * bits)),
  )
  return builder.build(outputs)
}

function garblingRates(): { garblePerSecond: number; evaluatePerSecond: number } {
  const circuit = wideEqualityCircuit()
  const hash = new TweakableHash(randomBytes(16))
  const delta = new Uint32Array(randomBytes(16).buffer)
  delta[0] |= 1
  const labels = new Uint32Array(randomBytes(16 * (circuit.garblerInputCount + circuit.evaluatorInputCount)).buffer)
  const garbleMs: number[] = []
  const evaluateMs: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now()
    const { tables } = garble(circuit, hash, 0, delta, labels)
    const garbled = performance.now()
    evaluate(circuit, hash, 0, labels, tables)
    const evaluated = performance.now()
    if (run === 0) continue
    garbleMs.push(garbled - started)
    evaluateMs.push(evaluated - garbled)
  }
  return {
    garblePerSecond: circuit.andCount / (median(garbleMs) / 1000),
    evaluatePerSecond: circuit.andCount / (median(evaluateMs) / 1000),
  }
}

const millions = (x: number) => `${(x / 1e6).toFixed(2)}M`
const thousands = (x: number) => `${(x / 1e3).toFixed(2)}k`

export async function runMpcBench(): Promise<void> {
  console.log(`mpc bench: Node ${process.version}, median of ${RUNS} runs; COT batch ${COT_BATCH}, triple batch ${TRIPLE_BATCH}`)
  const single = await oneThread()
  const dual = await twoThreads()
  const { garblePerSecond, evaluatePerSecond } = garblingRates()
  const rows: [string, string, string, string, string][] = [
    ['base OT, 128 OTs (one thread)', `${single.baseOtMs.toFixed(0)} ms`, '-', '-', '-'],
    ['base OT, 128 OTs (two threads)', `${dual.baseOtMs.toFixed(0)} ms`, '-', '-', '-'],
    ['COT/s (one thread)', millions(single.cotPerSecond), '5M', 'emp IKNP 73M', (single.cotPerSecond / 73e6).toFixed(3)],
    ['COT/s (two threads)', millions(dual.cotPerSecond), '5M', 'emp IKNP 73M', (dual.cotPerSecond / 73e6).toFixed(3)],
    ['garbled AND/s, garble', millions(garblePerSecond), '4M', 'mpz 4.8M (wasm 3.3M)', (garblePerSecond / 4.8e6).toFixed(2)],
    ['garbled AND/s, evaluate', millions(evaluatePerSecond), '4M', 'mpz 4.8M (wasm 3.3M)', (evaluatePerSecond / 4.8e6).toFixed(2)],
    ['triples/s (one thread)', thousands(single.triplesPerSecond), '5k', 'MASCOT 7.7k @128 bit', (single.triplesPerSecond / 7.7e3).toFixed(2)],
    ['triples/s (two threads)', thousands(dual.triplesPerSecond), '5k', 'MASCOT 7.7k @128 bit', (dual.triplesPerSecond / 7.7e3).toFixed(2)],
    ['bytes per triple', single.bytesPerTriple.toFixed(0), '-', '-', '-'],
    ['254-bit equality 2PC (two threads)', `${dual.equalityMs.toFixed(2)} ms`, '-', '-', '-'],
  ]
  const header: [string, string, string, string, string] = ['measure', 'measured', 'target', 'native anchor', 'ratio to anchor']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')
  console.log(line(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'))
  for (const row of rows) console.log(line(row))
}

if (!isMainThread && workerData?.mpcBenchPort !== undefined) {
  const { mpcBenchPort, sessionId } = workerData as { mpcBenchPort: MessagePort; sessionId: Uint8Array }
  const channel = new EndpointChannel(portEndpoint(mpcBenchPort), { timeoutMs: 120_000 })
  await partyScript({ channel, party: 1, sessionId })
  await channel.close()
  mpcBenchPort.close()
}
