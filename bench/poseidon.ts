/**
 * `npm run bench -- poseidon`: microseconds per hash of src/crypto/poseidon.ts (circomlib's
 * optimised PoseidonEx, sparse partial rounds) against poseidon-lite (the plain round
 * structure it replaced), for every arity `poseidon()` accepts, in the same run.
 *
 * Per arity, both implementations hash the same INPUTS random input vectors, first checked
 * equal. The timed passes alternate between the two, RUNS passes each, so that load from
 * other processes hits both alike; the table shows the median pass. The load average is
 * printed: above the core count, figures are noisy.
 */
import { availableParallelism, loadavg } from 'node:os'
import { poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6 } from 'poseidon-lite'
import { randomFieldElements } from '../src/crypto/field.js'
import { poseidon } from '../src/crypto/poseidon.js'

const INPUTS = 200
const RUNS = 15
const WARMUP_PASSES = 3
const lite = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6]

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Microseconds per hash of one pass over the inputs. */
function pass(hash: (inputs: bigint[]) => bigint, inputs: bigint[][]): number {
  let sink = 0n
  const started = performance.now()
  for (const input of inputs) sink ^= hash(input)
  const elapsed = performance.now() - started
  if (sink === -1n) console.log('unreachable')
  return (elapsed * 1000) / inputs.length
}

export async function runPoseidonBench(): Promise<void> {
  const [load1] = loadavg()
  console.log(`poseidon bench: Node ${process.version}, ${INPUTS} random inputs per arity, median of ${RUNS} alternating passes`)
  console.log(`  load average ${load1.toFixed(2)} on ${availableParallelism()} cores${load1 > 1 ? ' (other processes running: figures are noisy)' : ''}\n`)
  const rows: string[][] = []
  let arity2: { ours: number; baseline: number } | undefined
  for (let arity = 1; arity <= lite.length; arity++) {
    const baselineHash = lite[arity - 1]
    const inputs = Array.from({ length: INPUTS }, () => randomFieldElements(arity))
    for (const input of inputs) {
      if (poseidon(input) !== baselineHash(input)) throw new Error(`poseidon and poseidon-lite disagree on arity ${arity}`)
    }
    for (let i = 0; i < WARMUP_PASSES; i++) {
      pass(poseidon, inputs)
      pass(baselineHash, inputs)
    }
    const ours: number[] = []
    const baseline: number[] = []
    for (let run = 0; run < RUNS; run++) {
      ours.push(pass(poseidon, inputs))
      baseline.push(pass(baselineHash, inputs))
    }
    const [o, b] = [median(ours), median(baseline)]
    if (arity === 2) arity2 = { ours: o, baseline: b }
    rows.push([`Poseidon(${arity}) (t = ${arity + 1})`, us(o), us(b), `${(b / o).toFixed(2)}x faster`])
  }
  if (arity2 !== undefined) {
    // A Merkle insert at depth 20 is 20 Poseidon(2) (src/crypto/merkle.ts).
    rows.push(['20 x Poseidon(2), a depth-20 Merkle path', us(20 * arity2.ours), us(20 * arity2.baseline), `${(arity2.baseline / arity2.ours).toFixed(2)}x faster`])
  }
  printTable(rows)
}

const us = (value: number) => `${value.toFixed(1)} µs`

function printTable(rows: string[][]): void {
  const header = ['per hash', 'maci-anon', 'baseline (poseidon-lite)', 'ratio']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')
  console.log(line(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'))
  for (const row of rows) console.log(line(row))
}
