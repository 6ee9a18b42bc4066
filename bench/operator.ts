/**
 * `npm run bench -- operator`: the operator daemon under the load of a poll (issue 12).
 * Real daemon processes (`maci-anon operator start`), real LevelDB directories, clients
 * over libp2p (TCP, Noise, yamux) on 127.0.0.1; clients and daemon share this machine's
 * cores, as they do in the tests.
 *
 * - Deactivations: BENCH_DEACTIVATIONS ciphertexts made beforehand, sent by 16 and then by
 *   50 clients at once, each client one identity (AnonymousClient) sending its share one
 *   after another over its message stream (src/protocol/message.ts). Then 16 clients again,
 *   each message on a stream of its own, as a voter's single CLI command sends it. An
 *   untimed warm-up of WARM_UP_DEACTIVATIONS comes first: the first deactivations after
 *   thousands of signups run on code not yet optimised by the JIT and beside the store's
 *   compaction of those signups, and measured 20-25% slower than the steady state.
 *   Baseline: the same operator core in this process, with no network (Operator.open on a
 *   temporary directory, one call after another).
 * - Restart: the time from spawning `operator start` to its "listening" line, on a state of
 *   BENCH_STATE_VOTERS signups and as many leaves (bench/operator-state.ts, built once into
 *   build/bench/), against the same on an empty state.
 * - Reactivations: BENCH_REACTIVATIONS voters, each its own identity, start their sessions
 *   at once with their membership proofs made; those the operator turns away as busy come
 *   back by themselves (AnonymousClient.reactivate). Baseline: one reactivation alone, times
 *   the number of voters. Every voter's side of the 2PC runs in this one process.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { freePort, LocalCluster, REPO_ROOT } from '../scripts/lib/local-cluster.js'
import { generateKeypair } from '../src/crypto/keys.js'
import { Operator } from '../src/daemon/operator.js'
import { dataPaths } from '../src/daemon/paths.js'
import { createNode, ephemeralPeerKey } from '../src/daemon/node.js'
import { AnonymousClient } from '../src/daemon/voter-client.js'
import { submitDeactivation } from '../src/protocol/message.js'
import { requestStatus } from '../src/protocol/status.js'
import { makeDeactivation } from '../src/core/voter.js'
import { prepareVoterReactivation } from '../src/core/reactivation/voter-session.js'
import { releaseProverThreads } from '../src/zk/groth16.js'
import { operatorFixture } from './fixtures.js'
import { operatorStateOf } from './operator-state.js'
import { median, percentile, printTable } from './report.js'

const DEACTIVATIONS = Number(process.env.BENCH_DEACTIVATIONS ?? 2_000)
const STATE_VOTERS = Number(process.env.BENCH_STATE_VOTERS ?? 100_000)
const REACTIVATIONS = Number(process.env.BENCH_REACTIVATIONS ?? 8)
const BASELINE_DEACTIVATIONS = 500
const WARM_UP_DEACTIVATIONS = 500

const TARGET = { deactivationsPerSecond: 500, p99Ms: 500, restartSeconds: 10 }

/** Progress on stderr, so that stdout holds only the table. */
const step = (what: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${what}`)
const ms = (value: number) => `${value.toFixed(0)} ms`
const perSecond = (count: number, elapsedMs: number) => (count * 1000) / elapsedMs

interface Burst {
  elapsedMs: number
  latencies: number[]
}

/** One connected load client: it sends a task and waits for the answer. */
interface LoadClient<T> {
  send(task: T): Promise<unknown>
  stop(): Promise<void>
}

/** `clients` at once, each sending its share of `tasks` one after another. */
async function burst<T>(connect: () => Promise<LoadClient<T>>, clients: number, tasks: T[]): Promise<Burst> {
  const connected = await Promise.all(Array.from({ length: clients }, connect))
  try {
    const latencies: number[] = []
    const start = performance.now()
    await Promise.all(
      connected.map(async (client, c) => {
        for (let i = c; i < tasks.length; i += clients) {
          const sent = performance.now()
          await client.send(tasks[i])
          latencies.push(performance.now() - sent)
        }
      }),
    )
    return { elapsedMs: performance.now() - start, latencies }
  } finally {
    await Promise.all(connected.map((client) => client.stop()))
  }
}

/** An AnonymousClient, its connection open (one status round trip) before the clock starts. */
function voterClient<T>(operator: Multiaddr, send: (client: AnonymousClient, task: T) => Promise<unknown>): () => Promise<LoadClient<T>> {
  return async () => {
    const client = await AnonymousClient.start({ operator, replicas: [] })
    await client.status()
    return { send: (task) => send(client, task), stop: () => client.stop() }
  }
}

/** A bare libp2p node that sends each deactivation on a stream of its own (submitDeactivation). */
function streamPerMessageClient(operator: Multiaddr): () => Promise<LoadClient<Uint8Array>> {
  return async () => {
    const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [], dials: [String(operator)] })
    await requestStatus(node, operator)
    return { send: (ciphertext) => submitDeactivation(node, operator, ciphertext), stop: async () => node.stop() }
  }
}

/** The in-process baseline: the operator core alone, one deactivation after another, after a warm-up as the daemon gets. */
async function inProcessDeactivations(root: string): Promise<number> {
  const directory = join(root, 'baseline')
  await Operator.initialize(directory)
  const operator = await Operator.open(directory)
  try {
    const warmUp = BASELINE_DEACTIVATIONS / 2
    const keys = Array.from({ length: BASELINE_DEACTIVATIONS + warmUp }, () => generateKeypair())
    for (const keypair of keys) await operator.signup(keypair.publicKey)
    const ciphertexts = keys.map((keypair) => makeDeactivation(keypair, operator.publicParameters()).ciphertext)
    for (const ciphertext of ciphertexts.slice(0, warmUp)) await operator.submitDeactivation(ciphertext)
    const start = performance.now()
    for (const ciphertext of ciphertexts.slice(warmUp)) await operator.submitDeactivation(ciphertext)
    return perSecond(BASELINE_DEACTIVATIONS, performance.now() - start)
  } finally {
    await operator.close()
  }
}

async function startOperator(cluster: LocalCluster, name: string, dataDir: string, init: boolean): Promise<{ address: Multiaddr; readyMs: number }> {
  const port = await freePort()
  const start = performance.now()
  const daemon = await cluster.startDaemon(name, ['operator', 'start', ...(init ? ['--init'] : [])], {
    MACI_ANON_DATA_DIR: dataDir,
    MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}`,
  })
  return { address: multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${daemon.peerId}`), readyMs: performance.now() - start }
}

async function deactivationFigures(root: string, cluster: LocalCluster): Promise<string[][]> {
  step('in-process baseline')
  const baseline = await inProcessDeactivations(root)
  step('deactivation load: signups')
  const { address } = await startOperator(cluster, 'operator-load', join(root, 'load'), true)
  const keys = Array.from({ length: 3 * DEACTIVATIONS + WARM_UP_DEACTIVATIONS }, () => generateKeypair())
  const signups = await burst(voterClient(address, (client, keypair: (typeof keys)[number]) => client.signup(keypair.publicKey)), 16, keys)
  const params = await AnonymousClient.start({ operator: address, replicas: [] }).then(async (client) => {
    try {
      return await client.parameters()
    } finally {
      await client.stop()
    }
  })
  const ciphertexts = keys.map((keypair) => makeDeactivation(keypair, params).ciphertext)
  const share = (n: number) => ciphertexts.slice(n * DEACTIVATIONS, (n + 1) * DEACTIVATIONS)
  const deactivate = voterClient(address, (client, ciphertext: Uint8Array) => client.deactivate(ciphertext))
  step('deactivation load: warm-up')
  await burst(deactivate, 16, ciphertexts.slice(3 * DEACTIVATIONS))
  step('deactivation load: 16 clients')
  const sixteen = await burst(deactivate, 16, share(0))
  step('deactivation load: 50 clients')
  const fifty = await burst(deactivate, 50, share(1))
  step('deactivation load: 16 clients, a stream per message')
  const perStream = await burst(streamPerMessageClient(address), 16, share(2))
  const rate16 = perSecond(DEACTIVATIONS, sixteen.elapsedMs)
  const rate50 = perSecond(DEACTIVATIONS, fifty.elapsedMs)
  const ratePerStream = perSecond(DEACTIVATIONS, perStream.elapsedMs)
  const p99 = percentile(fifty.latencies, 0.99)
  const core = `${baseline.toFixed(0)} (in-process core)`
  return [
    ['deactivations/s, 16 clients', rate16.toFixed(0), core, `${(rate16 / baseline).toFixed(2)}x`, `>= ${TARGET.deactivationsPerSecond}/s`],
    ['deactivations/s, 50 clients', rate50.toFixed(0), core, `${(rate50 / baseline).toFixed(2)}x`, ''],
    ['deactivations/s, 16 clients, a stream per message', ratePerStream.toFixed(0), core, `${(ratePerStream / baseline).toFixed(2)}x`, ''],
    ['deactivation latency p50 / p99, 16 clients', `${ms(percentile(sixteen.latencies, 0.5))} / ${ms(percentile(sixteen.latencies, 0.99))}`, '', '', ''],
    ['deactivation latency p50 / p99, 50 clients', `${ms(percentile(fifty.latencies, 0.5))} / ${ms(p99)}`, '', '', `p99 < ${TARGET.p99Ms} ms`],
    ['signups/s, 16 clients', perSecond(keys.length, signups.elapsedMs).toFixed(0), '', '', ''],
  ]
}

async function restartFigures(root: string, cluster: LocalCluster): Promise<string[][]> {
  step(`restart: state of ${STATE_VOTERS} voters (built once, minutes)`)
  const cached = await operatorStateOf(STATE_VOTERS, join(REPO_ROOT, 'build', 'bench'))
  const large = join(root, 'large')
  await cp(cached, dataPaths(large).operatorState, { recursive: true })
  // Opened once in this process first: it checks the state and warms the page cache for both runs alike.
  const openStart = performance.now()
  const check = await Operator.open(dataPaths(large).operatorState)
  const openMs = performance.now() - openStart
  const { signups, deactivations } = check.status()
  await check.close()
  const empty = join(root, 'empty')
  await Operator.initialize(dataPaths(empty).operatorState)
  step('restart: timing')
  const emptyReady = await startOperator(cluster, 'operator-empty', empty, false)
  const largeReady = await startOperator(cluster, 'operator-large', large, false)
  return [
    [
      `restart to ready, ${signups} signups and ${deactivations} leaves`,
      `${(largeReady.readyMs / 1000).toFixed(2)} s`,
      `${(emptyReady.readyMs / 1000).toFixed(2)} s (empty state)`,
      `${(largeReady.readyMs / emptyReady.readyMs).toFixed(2)}x`,
      `< ${TARGET.restartSeconds} s`,
    ],
    [`  of which Operator.open`, `${(openMs / 1000).toFixed(2)} s`, '', '', ''],
  ]
}

async function reactivationFigures(root: string, cluster: LocalCluster): Promise<string[][]> {
  const dataDir = join(root, 'reactivations')
  const { params, leaves, deactivations } = await operatorFixture(dataPaths(dataDir).operatorState, REACTIVATIONS + 1)
  const { address } = await startOperator(cluster, 'operator-reactivations', dataDir, false)
  const prepared = deactivations.map((deactivation, leafIndex) =>
    prepareVoterReactivation({ secret: deactivation.secret, leafIndex, leaves, newPublicKey: generateKeypair().publicKey, params, deactivatedUnder: params.keyCommitment }),
  )
  await Promise.all(prepared.map((reactivation) => reactivation.membership))
  step('reactivations: one alone, then all at once')
  const reactivate = async (index: number, onBusy: () => void) => {
    const client = await AnonymousClient.start({ operator: address, replicas: [] })
    try {
      const start = performance.now()
      await client.reactivate(prepared[index], { onBusy })
      return performance.now() - start
    } finally {
      await client.stop()
    }
  }
  const alone = await reactivate(REACTIVATIONS, () => undefined)
  let busy = 0
  const start = performance.now()
  const each = await Promise.all(Array.from({ length: REACTIVATIONS }, (_, i) => reactivate(i, () => busy++)))
  const elapsed = performance.now() - start
  return [
    [
      `${REACTIVATIONS} reactivations at once, all complete`,
      `${(elapsed / 1000).toFixed(1)} s`,
      `${((alone * REACTIVATIONS) / 1000).toFixed(1)} s (one alone x ${REACTIVATIONS})`,
      `${(elapsed / (alone * REACTIVATIONS)).toFixed(2)}x`,
      'all complete',
    ],
    ['  reactivations per minute', ((REACTIVATIONS * 60_000) / elapsed).toFixed(1), (60_000 / alone).toFixed(1), '', ''],
    ['  per voter, median / slowest', `${(median(each) / 1000).toFixed(1)} s / ${(Math.max(...each) / 1000).toFixed(1)} s`, '', '', ''],
    ['  busy refusals retried', String(busy), '', '', ''],
  ]
}

export async function runOperatorBench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'maci-anon-bench-operator-'))
  const cluster = new LocalCluster()
  try {
    console.log(`operator bench: ${DEACTIVATIONS} deactivations per load, a restart with ${STATE_VOTERS} voters, ${REACTIVATIONS} reactivations at once`)
    const rows = [...(await deactivationFigures(root, cluster)), ...(await restartFigures(root, cluster)), ...(await reactivationFigures(root, cluster))]
    printTable(['measure', 'maci-anon', 'baseline', 'ratio', 'target'], rows)
  } finally {
    await cluster.stopAll()
    await releaseProverThreads()
    await rm(root, { recursive: true, force: true })
  }
}
