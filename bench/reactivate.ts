/**
 * `npm run bench -- reactivate`: the reactivation 2PC against single-prover snarkjs on the
 * same statements, in one run on the committed default artifacts (depth 20).
 *
 * The operator is a real daemon process (`maci-anon operator start`); this process is the
 * voter and reaches it over libp2p (TCP, Noise, yamux) on 127.0.0.1, as a deployment does.
 * Voter and operator share this machine's two cores; the snarkjs baselines use both.
 *
 * - "2PC": hello to acknowledgement, with the membership proof made beforehand, against
 *   snarkjs proving the leaf-opening circuit.
 * - "full reactivation": membership proof, 2PC and the operator's verification, from the
 *   start of proving to the acknowledgement, against snarkjs proving the combined circuit
 *   (circuits/combined.circom: the same statement for one prover holding every secret).
 *   Then again with each party pinned to a core of its own (taskset: the daemon on core 0,
 *   this process and its prover threads on core 1), the way two machines would run it.
 * - "online phase": from the shared hash, the first phase that uses the voter's inputs, to
 *   the acknowledgement; the handshake and the triples before it are input-independent.
 *
 * Every target of issue 11 is printed beside its figure, with "met" or "missed".
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { freePort, LocalCluster } from '../scripts/lib/local-cluster.js'
import { randomFieldElement } from '../src/crypto/field.js'
import { generateKeypair, hashPublicKey } from '../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../src/crypto/merkle.js'
import { nullifierOf, poseidon } from '../src/crypto/poseidon.js'
import { createNode, ephemeralPeerKey } from '../src/daemon/node.js'
import { Operator } from '../src/daemon/operator.js'
import { dataPaths } from '../src/daemon/paths.js'
import type { ReactivationPhase } from '../src/core/reactivation/options.js'
import { prepareVoterReactivation, type PreparedReactivation } from '../src/core/reactivation/voter-session.js'
import { openReactivation, runVoterSession } from '../src/protocol/reactivate.js'
import { proveWithSnarkjs, releaseProverThreads, verifyProof } from '../src/zk/groth16.js'
import { operatorFixture, type Fixture } from './fixtures.js'
import { median, printTable } from './report.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PHASES: ReactivationPhase[] = ['handshake', 'triples', 'shared-hash', 'validity-bit', 'proof', 'submit']

const ms = (value: number) => `${value.toFixed(0)} ms`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`

interface Session {
  elapsed: number
  /** Start of each phase, relative to the session's start. */
  phases: Record<string, number>
  /** Bytes both ways so far at the start of each phase. */
  phaseBytes: Record<string, number>
  sent: number
  received: number
}

const TARGET = { fullRatio: 1.2, twoPartyRatio: 3, bytes: 8e6, onlineMs: 300, onlineBytes: 1e6 }

const verdict = (value: number, bound: number) => (value <= bound ? 'met' : 'missed')

/** Pins a process and all its threads (and so the threads it starts later) to the given cores. */
function pin(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' })
}

/**
 * One voter session over libp2p, from a fresh identity. `prepared` may still be proving: as
 * the voter CLI does, the stream opens only once the membership proof is done, since the
 * hello carries it.
 */
async function voterSession(operator: Multiaddr, prepared: PreparedReactivation, start: number): Promise<Session> {
  const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [] })
  try {
    await prepared.membership
    const channel = await openReactivation(node, operator)
    const phases: Record<string, number> = {}
    const phaseBytes: Record<string, number> = {}
    try {
      await runVoterSession(channel, prepared, {
        onPhase: (phase) => {
          phases[phase] = performance.now() - start
          phaseBytes[phase] = channel.stats.bytesSent + channel.stats.bytesReceived
        },
      })
      return { elapsed: performance.now() - start, phases, phaseBytes, sent: channel.stats.bytesSent, received: channel.stats.bytesReceived }
    } finally {
      await channel.close()
    }
  } finally {
    await node.stop()
  }
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await task()
  return performance.now() - start
}

function baselineInputs(fixture: Fixture, index: number) {
  const { params, leaves, secrets } = fixture
  const deactivation = fixture.deactivations[index]
  const tree = IncrementalMerkleTree.fromLeaves(params.depth, leaves)
  const path = tree.path(index)
  const rho = randomFieldElement()
  return {
    leafOpening: {
      link: poseidon([deactivation.commitment, leaves[index], rho]),
      keyCommitment: params.keyCommitment,
      commitment: deactivation.commitment,
      leaf: leaves[index],
      rho,
      index: BigInt(index),
      K: secrets.K,
      kappa: secrets.kappa,
    },
    combined: {
      root: tree.root,
      nullifier: nullifierOf(deactivation.secret),
      newKeyHash: hashPublicKey(generateKeypair().publicKey),
      keyCommitment: params.keyCommitment,
      s: deactivation.secret,
      pathElements: path.pathElements,
      pathIndices: path.pathIndices,
      K: secrets.K,
      kappa: secrets.kappa,
    },
  }
}

export async function runReactivateBench(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'maci-anon-bench-'))
  const cluster = new LocalCluster()
  try {
    const dataDir = join(directory, 'operator')
    // Two sessions per round and warm-up round, and ROUNDS more pinned.
    const sessions = 2 * (ROUNDS + 1) + ROUNDS
    const fixture = await operatorFixture(dataPaths(dataDir).operatorState, sessions)
    const port = await freePort()
    const daemon = await cluster.startDaemon('operator', ['operator', 'start'], {
      MACI_ANON_DATA_DIR: dataDir,
      MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}`,
    })
    const operator = multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${daemon.peerId}`)
    const input = (index: number) => ({
      secret: fixture.deactivations[index].secret,
      leafIndex: index,
      leaves: fixture.leaves,
      newPublicKey: generateKeypair().publicKey,
      params: fixture.params,
      deactivatedUnder: fixture.params.keyCommitment,
    })

    console.log(`reactivation bench: ${ROUNDS} rounds after one warm-up, medians; operator daemon over libp2p on 127.0.0.1`)
    const twoParty: Session[] = []
    const full: Session[] = []
    const single = { leafOpening: [] as number[], combined: [] as number[] }
    for (let round = 0; round <= ROUNDS; round++) {
      const prepared = prepareVoterReactivation(input(2 * round))
      await prepared.membership
      const alone = await voterSession(operator, prepared, performance.now())
      const start = performance.now()
      const whole = await voterSession(operator, prepareVoterReactivation(input(2 * round + 1)), start)
      const baseline = baselineInputs(fixture, 2 * round)
      const leafOpeningTime = await timed(() => proveWithSnarkjs('leaf_opening', baseline.leafOpening))
      const combinedTime = await timed(async () => {
        const proof = await proveWithSnarkjs('combined', baseline.combined)
        if (!(await verifyProof('combined', proof))) throw new Error('the combined baseline proof does not verify')
      })
      if (round === 0) continue
      twoParty.push(alone)
      full.push(whole)
      single.leafOpening.push(leafOpeningTime)
      single.combined.push(combinedTime)
    }
    // The same full reactivation with each party on a core of its own.
    pin(daemon.child.pid!, '0')
    pin(process.pid, '1')
    const pinned: Session[] = []
    try {
      for (let round = 0; round < ROUNDS; round++) pinned.push(await voterSession(operator, prepareVoterReactivation(input(2 * (ROUNDS + 1) + round)), performance.now()))
    } finally {
      pin(process.pid, '0,1')
    }
    await cluster.stopAll()

    const check = await Operator.open(dataPaths(dataDir).operatorState)
    const activated = await Promise.all(Array.from({ length: sessions }, (_, i) => check.reactivationRecord(i).then((r) => r.activated)))
    await check.close()
    if (!activated.every(Boolean)) throw new Error('a valid reactivation was not activated')

    const twoPartyTime = median(twoParty.map((s) => s.elapsed))
    const fullTime = median(full.map((s) => s.elapsed))
    const pinnedTime = median(pinned.map((s) => s.elapsed))
    const leafOpeningTime = median(single.leafOpening)
    const combinedTime = median(single.combined)
    const phase = (name: ReactivationPhase, next: ReactivationPhase | 'end') =>
      median(twoParty.map((s) => (next === 'end' ? s.elapsed : s.phases[next]) - s.phases[name]))
    const onlineTime = median(twoParty.map((s) => s.elapsed - s.phases['shared-hash']))
    const sample = twoParty[0]
    const totalBytes = sample.sent + sample.received
    const onlineBytes = totalBytes - sample.phaseBytes['shared-hash']
    const against = (value: number, base: number, bound: number) => [ratio(value, base), `${bound}x: ${verdict(value / base, bound)}`]
    printTable(['measure', 'maci-anon', 'baseline', 'ratio', 'target'], [
      ['G2: 2PC leaf-opening proof vs snarkjs single prover', ms(twoPartyTime), ms(leafOpeningTime), ...against(twoPartyTime, leafOpeningTime, TARGET.twoPartyRatio)],
      ...PHASES.map((name, i): string[] => [`  phase ${name}`, ms(phase(name, PHASES[i + 1] ?? 'end')), '', '', '']),
      ['G1: full reactivation vs combined single prover', ms(fullTime), ms(combinedTime), ...against(fullTime, combinedTime, TARGET.fullRatio)],
      ['G1, each party pinned to its own core', ms(pinnedTime), ms(combinedTime), ...against(pinnedTime, combinedTime, TARGET.fullRatio)],
      ['online phase (shared hash to acknowledgement): time', ms(onlineTime), '', '', `${ms(TARGET.onlineMs)}: ${verdict(onlineTime, TARGET.onlineMs)}`],
      ['online phase: bytes both ways', mb(onlineBytes), '', '', `${mb(TARGET.onlineBytes)}: ${verdict(onlineBytes, TARGET.onlineBytes)}`],
      ['2PC bytes voter -> operator', mb(sample.sent), '', '', ''],
      ['2PC bytes operator -> voter', mb(sample.received), '', '', ''],
      ['G2: 2PC bytes total', mb(totalBytes), '', '', `${mb(TARGET.bytes)}: ${verdict(totalBytes, TARGET.bytes)}`],
    ])
  } finally {
    await cluster.stopAll()
    await releaseProverThreads()
    await rm(directory, { recursive: true, force: true })
  }
}
