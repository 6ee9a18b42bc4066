/**
 * `npm run bench -- poseidon`: microseconds per hash of src/crypto/poseidon.ts (circomlib's
 * optimised PoseidonEx, sparse partial rounds, in WebAssembly: src/crypto/wasm-poseidon.ts)
 * against poseidon-lite (the plain round structure on BigInts), for every arity `poseidon()`
 * accepts, and for the climb of a depth-20 Merkle path (one `hashPath` call against twenty
 * poseidon-lite hashes), in the same run. It also times building the wasm module, which
 * every process that hashes pays once.
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
import { buildPoseidonWasm, hashPath } from '../src/crypto/wasm-poseidon.js'

const INPUTS = 200
const RUNS = 15
const WARMUP_PASSES = 3
const PATH_DEPTH = 20
const PATHS = 20
const BUILDS = 5
const lite = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6]

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Microseconds per item of one pass over the items. */
function pass<T>(work: (item: T) => bigint, items: T[]): number {
  let sink = 0n
  const started = performance.now()
  for (const item of items) sink ^= work(item)
  const elapsed = performance.now() - started
  if (sink === -1n) console.log('unreachable')
  return (elapsed * 1000) / items.length
}

/** Medians of RUNS alternating passes of `ours` and `baseline` over the same items, after warm-up passes. */
function compare<T>(ours: (item: T) => bigint, baseline: (item: T) => bigint, items: T[]): { ours: number; baseline: number } {
  for (let i = 0; i < WARMUP_PASSES; i++) {
    pass(ours, items)
    pass(baseline, items)
  }
  const timings = { ours: [] as number[], baseline: [] as number[] }
  for (let run = 0; run < RUNS; run++) {
    timings.ours.push(pass(ours, items))
    timings.baseline.push(pass(baseline, items))
  }
  return { ours: median(timings.ours), baseline: median(timings.baseline) }
}

interface PathCase {
  leaf: bigint
  siblings: bigint[]
  index: number
}

function liteClimb({ leaf, siblings, index }: PathCase): bigint {
  let node = leaf
  siblings.forEach((sibling, level) => {
    node = (index >> level) & 1 ? poseidon2([sibling, node]) : poseidon2([node, sibling])
  })
  return node
}

export async function runPoseidonBench(): Promise<void> {
  // First, before anything in this process has hashed: the build a CLI command pays.
  const builds: number[] = []
  for (let i = 0; i < BUILDS; i++) {
    const started = performance.now()
    buildPoseidonWasm()
    builds.push(performance.now() - started)
  }
  const [load1] = loadavg()
  console.log(`poseidon bench: Node ${process.version}, ${INPUTS} random inputs per arity, median of ${RUNS} alternating passes`)
  console.log(`  load average ${load1.toFixed(2)} on ${availableParallelism()} cores${load1 > 1 ? ' (other processes running: figures are noisy)' : ''}`)
  console.log(`  wasm module build + compile: ${builds[0].toFixed(1)} ms the first time in this process, ${median(builds.slice(1)).toFixed(1)} ms after (median of ${BUILDS - 1})\n`)
  const rows: string[][] = []
  for (let arity = 1; arity <= lite.length; arity++) {
    const baselineHash = lite[arity - 1]
    const inputs = Array.from({ length: INPUTS }, () => randomFieldElements(arity))
    for (const input of inputs) {
      if (poseidon(input) !== baselineHash(input)) throw new Error(`poseidon and poseidon-lite disagree on arity ${arity}`)
    }
    const { ours, baseline } = compare(poseidon, baselineHash, inputs)
    rows.push([`Poseidon(${arity}) (t = ${arity + 1})`, us(ours), us(baseline), `${(baseline / ours).toFixed(2)}x faster`])
  }
  // A Merkle insert at depth 20 is 20 Poseidon(2) (src/crypto/merkle.ts), climbed in one wasm call.
  const paths: PathCase[] = Array.from({ length: PATHS }, (_, i) => {
    const [leaf, ...siblings] = randomFieldElements(PATH_DEPTH + 1)
    return { leaf, siblings, index: (i * 0x9e3779) % 2 ** PATH_DEPTH }
  })
  const climb = ({ leaf, siblings, index }: PathCase) => hashPath(leaf, siblings, index)[PATH_DEPTH]
  for (const path of paths) {
    if (climb(path) !== liteClimb(path)) throw new Error('hashPath and poseidon-lite disagree on a depth-20 path')
  }
  const { ours, baseline } = compare(climb, liteClimb, paths)
  rows.push([`a depth-${PATH_DEPTH} Merkle path (${PATH_DEPTH} x Poseidon(2))`, us(ours), us(baseline), `${(baseline / ours).toFixed(2)}x faster`])
  printTable(rows)
}

const us = (value: number) => `${value.toFixed(1)} µs`

function printTable(rows: string[][]): void {
  const header = ['per hash', 'maci-anon (wasm)', 'baseline (poseidon-lite)', 'ratio']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')
  console.log(line(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'))
  for (const row of rows) console.log(line(row))
}
