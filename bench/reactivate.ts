/**
 * `npm run bench -- reactivate`: the reactivation 2PC against single-prover snarkjs on the
 * same statements, in one run on the committed default artifacts (depth 20).
 *
 * The voter runs in this process and the operator in a child process (bench/operator-process.ts),
 * talking over Node's IPC, so each party has a core of this 2-core machine. The baselines are
 * snarkjs with both cores. Bytes are what each party sent.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { randomFieldElement } from '../src/crypto/field.js'
import { generateKeypair, hashPublicKey } from '../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../src/crypto/merkle.js'
import { nullifierOf, poseidon } from '../src/crypto/poseidon.js'
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { Operator, type PublicParameters } from '../src/daemon/operator.js'
import { makeDeactivation, type Deactivation } from '../src/daemon/voter.js'
import { EndpointChannel } from '../src/mpc/memory-channel.js'
import type { BenchIpcMessage, OperatorSessionReport } from './operator-process.js'
import { requestReactivation, type ReactivationPhase } from '../src/protocol/reactivation-session.js'
import { proveWithSnarkjs, releaseProverThreads, verifyProof } from '../src/zk/groth16.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = (value: number) => `${value.toFixed(0)} ms`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`

const PHASES: ReactivationPhase[] = ['triples', 'shared-hash', 'validity-bit', 'proof', 'submit']

interface Sample {
  phases: Record<string, number>
  twoParty: number
  verification: number
  total: number
  operatorToVoter: number
  voterToOperator: number
  activated: boolean
}

/** The operator's process, driven over IPC. */
class OperatorProcess {
  private readonly reports: Array<(report: OperatorSessionReport) => void> = []
  private deliver: (bytes: Uint8Array | null) => void = () => {}

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: BenchIpcMessage) => {
      if (message.kind === 'data') this.deliver(message.bytes)
      if (message.kind === 'report') this.reports.shift()?.(message.report)
    })
  }

  static async start(directory: string): Promise<OperatorProcess> {
    const child = fork(new URL('./operator-process.ts', import.meta.url).pathname, [directory], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
    })
    await once(child, 'message')
    return new OperatorProcess(child)
  }

  /** Starts a session; returns the voter's end of its channel and the operator's report to come. */
  session(): { channel: EndpointChannel; report: Promise<OperatorSessionReport> } {
    const report = new Promise<OperatorSessionReport>((resolve) => this.reports.push(resolve))
    const channel = new EndpointChannel(
      { post: (bytes) => this.child.send({ kind: 'data', bytes }), subscribe: (listener) => (this.deliver = listener) },
      { timeoutMs: 120_000 },
    )
    this.child.send({ kind: 'session' })
    return { channel, report }
  }

  async stop(): Promise<void> {
    this.child.send({ kind: 'close' })
    await once(this.child, 'exit')
  }
}

async function reactivationSample(
  operator: OperatorProcess,
  params: PublicParameters,
  leaves: bigint[],
  deactivation: Deactivation,
  leafIndex: number,
): Promise<Sample> {
  const { channel: voterChannel, report: operatorReport } = operator.session()
  const now = () => performance.timeOrigin + performance.now()
  const voterMarks: Record<string, number> = {}
  const start = now()
  const [report] = await Promise.all([
    operatorReport,
    requestReactivation(
      voterChannel,
      { secret: deactivation.secret, leafIndex, leaves, newPublicKey: generateKeypair().publicKey, params },
      { onPhase: (phase) => (voterMarks[phase] = now()) },
    ),
  ])
  const phases: Record<string, number> = {}
  PHASES.slice(0, -1).forEach((phase, i) => (phases[phase] = report.marks[PHASES[i + 1]] - report.marks[phase]))
  return {
    phases,
    twoParty: report.marks.submit - voterMarks.handshake,
    verification: report.end - report.marks.submit,
    total: report.end - start,
    operatorToVoter: report.bytesSent,
    voterToOperator: voterChannel.stats.bytesSent,
    activated: report.activated,
  }
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await task()
  return performance.now() - start
}

export async function runReactivateBench(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'maci-anon-bench-'))
  try {
    await Operator.initialize(join(directory, 'operator'))
    const operator = await Operator.open(join(directory, 'operator'))
    const params = operator.publicParameters()
    const voters = Array.from({ length: ROUNDS + 1 }, () => generateKeypair())
    const deactivations: Array<{ deactivation: Deactivation; index: number }> = []
    for (const voter of voters) {
      await operator.signup(voter.publicKey)
      const deactivation = makeDeactivation(voter, params)
      deactivations.push({ deactivation, index: (await operator.submitDeactivation(deactivation.ciphertext)).index })
    }
    const { leafKey, leafKeyBlinding } = operator.leafKeySecrets()
    const leaves = operator.leaves(0, operator.status().deactivations)
    const tree = IncrementalMerkleTree.fromLeaves(params.depth, leaves)
    await operator.close()
    const operatorProcess = await OperatorProcess.start(join(directory, 'operator'))

    const leafOpeningInput = (d: Deactivation, leaf: bigint) => {
      const rho = randomFieldElement()
      return {
        link: poseidon([d.commitment, leaf, rho]),
        keyCommitment: params.keyCommitment,
        commitment: d.commitment,
        leaf,
        rho,
        K: leafKey,
        kappa: leafKeyBlinding,
      }
    }
    const combinedInput = (d: Deactivation, index: number) => {
      const path = tree.path(index)
      return {
        root: tree.root,
        nullifier: nullifierOf(d.secret),
        newKeyHash: hashPublicKey(generateKeypair().publicKey),
        keyCommitment: params.keyCommitment,
        s: d.secret,
        pathElements: path.pathElements,
        pathIndices: path.pathIndices,
        K: leafKey,
        kappa: leafKeyBlinding,
      }
    }

    console.log(`reactivation bench: ${ROUNDS} rounds after one warm-up, medians`)
    const samples: Sample[] = []
    const leafOpeningSingle: number[] = []
    const combinedSingle: number[] = []
    for (let round = 0; round <= ROUNDS; round++) {
      const { deactivation, index } = deactivations[round]
      const sample = await reactivationSample(operatorProcess, params, leaves, deactivation, index)
      if (!sample.activated) throw new Error('a valid reactivation was not activated')
      const single = await timed(() => proveWithSnarkjs('leaf_opening', leafOpeningInput(deactivation, leaves[index])))
      const combinedTime = await timed(async () => {
        const proof = await proveWithSnarkjs('combined', combinedInput(deactivation, index))
        if (!(await verifyProof('combined', proof))) throw new Error('combined baseline proof does not verify')
      })
      if (round === 0) continue
      samples.push(sample)
      leafOpeningSingle.push(single)
      combinedSingle.push(combinedTime)
    }
    await operatorProcess.stop()

    const twoParty = median(samples.map((s) => s.twoParty))
    const total = median(samples.map((s) => s.total))
    const single = median(leafOpeningSingle)
    const combined = median(combinedSingle)
    const sent = samples[0]
    const rows: Array<[string, string, string, string]> = [
      ['leaf opening: 2PC vs snarkjs single prover', ms(twoParty), ms(single), `${(twoParty / single).toFixed(2)}x`],
      ['full reactivation vs combined single prover', ms(total), ms(combined), `${(total / combined).toFixed(2)}x (target <= 1.2x)`],
      ['  of which 2PC, from hello to sealed submission', ms(twoParty), '', ''],
      ['  of which operator verification + record', ms(median(samples.map((s) => s.verification))), '', ''],
      ...PHASES.slice(0, -1).map((phase): [string, string, string, string] => [`    2PC phase: ${phase}`, ms(median(samples.map((s) => s.phases[phase]))), '', '']),
      ['2PC bytes operator -> voter', mb(sent.operatorToVoter), '', ''],
      ['2PC bytes voter -> operator', mb(sent.voterToOperator), '', ''],
      ['2PC bytes total', mb(sent.operatorToVoter + sent.voterToOperator), '8.00 MB target', `${((sent.operatorToVoter + sent.voterToOperator) / 8e6).toFixed(2)}x of target`],
    ]
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ['measure', '2PC / this', 'baseline', 'ratio'][i].length))
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')
    console.log(line(['measure', '2PC / this', 'baseline', 'ratio']))
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
    for (const row of rows) console.log(line(row))
  } finally {
    await releaseProverThreads()
    await rm(directory, { recursive: true, force: true })
  }
}
