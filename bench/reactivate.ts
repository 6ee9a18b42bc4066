/**
 * `npm run bench -- reactivate`: the reactivation 2PC against single-prover snarkjs on the
 * same statements, in one run on the committed default artifacts (depth 20).
 *
 * Both 2PC parties run in this one process over an in-memory channel, so they share the
 * machine's cores: on two machines each party would have a whole machine to itself.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { randomFieldElement } from '../src/crypto/field.js'
import { generateKeypair, hashPublicKey } from '../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../src/crypto/merkle.js'
import { nullifierOf, poseidon } from '../src/crypto/poseidon.js'
import { Operator } from '../src/daemon/operator.js'
import { makeDeactivation, type Deactivation } from '../src/daemon/voter.js'
import { memoryChannelPair } from '../src/mpc/memory-channel.js'
import { requestReactivation, serveReactivation, type ReactivationPhase } from '../src/protocol/reactivation-session.js'
import { proveWithSnarkjs, releaseProverThreads, verifyProof } from '../src/zk/groth16.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = (value: number) => `${value.toFixed(0)} ms`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`

interface Sample {
  membership: number
  twoParty: number
  verification: number
  total: number
  operatorToVoter: number
  voterToOperator: number
  activated: boolean
}

async function reactivationSample(operator: Operator, deactivation: Deactivation, leafIndex: number): Promise<Sample> {
  const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 120_000 })
  const marks = new Map<string, number>()
  const mark = (side: string) => (phase: ReactivationPhase) => marks.set(`${side}:${phase}`, performance.now())
  const start = performance.now()
  const [outcome] = await Promise.all([
    serveReactivation(operatorChannel, operator, { onPhase: mark('operator') }),
    requestReactivation(
      voterChannel,
      {
        secret: deactivation.secret,
        leafIndex,
        leaves: operator.leaves(0, operator.status().deactivations),
        newPublicKey: generateKeypair().publicKey,
        params: operator.publicParameters(),
      },
      { onPhase: mark('voter') },
    ),
  ])
  const end = performance.now()
  const at = (key: string) => marks.get(key) ?? NaN
  return {
    membership: at('voter:handshake') - start,
    twoParty: at('operator:submit') - at('voter:handshake'),
    verification: end - at('operator:submit'),
    total: end - start,
    operatorToVoter: operatorChannel.stats.bytesSent,
    voterToOperator: voterChannel.stats.bytesSent,
    activated: outcome.activated,
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
      const sample = await reactivationSample(operator, deactivation, index)
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
    await operator.close()

    const twoParty = median(samples.map((s) => s.twoParty))
    const total = median(samples.map((s) => s.total))
    const single = median(leafOpeningSingle)
    const combined = median(combinedSingle)
    const sent = samples[0]
    const rows: Array<[string, string, string, string]> = [
      ['leaf opening: 2PC vs snarkjs single prover', ms(twoParty), ms(single), `${(twoParty / single).toFixed(2)}x`],
      ['full reactivation vs combined single prover', ms(total), ms(combined), `${(total / combined).toFixed(2)}x (target <= 1.2x)`],
      ['  of which voter membership proof', ms(median(samples.map((s) => s.membership))), '', ''],
      ['  of which 2PC (triples, hash, GC, Groth16)', ms(twoParty), '', ''],
      ['  of which operator verification + record', ms(median(samples.map((s) => s.verification))), '', ''],
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
