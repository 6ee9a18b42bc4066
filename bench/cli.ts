/**
 * `npm run bench -- cli`: the start-up of `maci-anon --version` (issue 13, target under 10x
 * the time of `node -e 0`), with the baseline measured in the same run, and `voter status`
 * against a running operator daemon (target under 1 s). Each command runs RUNS times after
 * WARMUP runs; the figure is the median wall time of the whole process:
 * - `node -e 0`: the baseline, Node starting and exiting;
 * - `node bin/maci-anon.js --version`: what an installed `maci-anon` runs, the launcher on
 *   the compiled CLI in dist/ (needs `npm run build`, which `npm ci` runs);
 * - `node --import tsx src/cli/main.ts --version`: the sources on tsx, as `npm run maci-anon`
 *   and the tests run them (and as the launcher did before dist/).
 * - `node bin/maci-anon.js voter status`: the installed CLI opening a keystore (scrypt) and
 *   asking a real operator daemon on 127.0.0.1 for its counters over libp2p.
 * All on this process's Node (22, from node_modules/.bin under `npm run`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { freePort, LocalCluster } from '../scripts/lib/local-cluster.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const RUNS = 20
const WARMUP = 3
const TARGET_RATIO = 10
const STATUS_TARGET_MS = 1_000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median wall time in ms of `node ...args`, which must exit 0. */
function time(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const samples: number[] = []
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const started = performance.now()
    const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const elapsed = performance.now() - started
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString().trim()}`)
    if (run >= WARMUP) samples.push(elapsed)
  }
  return median(samples)
}

export async function runCliBench(): Promise<void> {
  if (!existsSync(`${ROOT}dist/cli/main.js`)) throw new Error('dist/ is missing: run `npm run build` first')
  const baseline = time(['-e', '0'])
  const rows = [
    { command: 'node -e 0', ms: baseline },
    { command: 'maci-anon --version (bin, dist/)', ms: time([`${ROOT}bin/maci-anon.js`, '--version']) },
    { command: 'maci-anon --version (tsx, src/)', ms: time(['--import', 'tsx', `${ROOT}src/cli/main.ts`, '--version']) },
  ]
  console.log(`CLI start-up, Node ${process.versions.node}, median of ${RUNS} runs after ${WARMUP} warm-up runs`)
  console.table(rows.map(({ command, ms }) => ({ command, 'median ms': ms.toFixed(0), 'x node -e 0': (ms / baseline).toFixed(1) })))
  const ratio = rows[1].ms / baseline
  console.log(`maci-anon --version: ${ratio.toFixed(1)}x node -e 0 (target < ${TARGET_RATIO}x): ${ratio < TARGET_RATIO ? 'met' : 'NOT met'}`)
  const status = await voterStatusMs()
  console.log(`maci-anon voter status against a running operator: ${status.toFixed(0)} ms (target < ${STATUS_TARGET_MS} ms): ${status < STATUS_TARGET_MS ? 'met' : 'NOT met'}`)
}

/** `voter status` of a signed-up voter against an operator daemon on this machine. */
async function voterStatusMs(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'maci-anon-bench-cli-'))
  const cluster = new LocalCluster()
  try {
    const port = await freePort()
    await cluster.startDaemon('operator', ['operator', 'start', '--init'], {
      MACI_ANON_DATA_DIR: join(root, 'operator'),
      MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}`,
      MACI_ANON_LOG_LEVEL: 'info',
    })
    const voter = {
      MACI_ANON_DATA_DIR: join(root, 'voter'),
      MACI_ANON_OPERATOR: `/ip4/127.0.0.1/tcp/${port}`,
      MACI_ANON_PASSPHRASE: 'bench-only-passphrase',
    }
    await cluster.runOk(['voter', 'keygen'], voter)
    await cluster.runOk(['voter', 'signup'], voter)
    return time([`${ROOT}bin/maci-anon.js`, 'voter', 'status'], { ...process.env, ...voter })
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
