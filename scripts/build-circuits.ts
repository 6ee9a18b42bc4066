/**
 * Regenerates the committed circuit artifacts: compiles every circuit with circom2 --O2,
 * runs a local development trusted setup (phase 1 powers of tau, phase 2 per circuit) and
 * exports the verification keys, then writes circuits/build/manifest.json.
 *
 *   npm run build:circuits             # reuse build/ptau/pot14_final.ptau if present
 *   npm run build:circuits -- --fresh-ptau
 *
 * Phase 1 at 2^14 takes about 8.5 minutes on a 2-core machine; it is cached under build/
 * (not committed). This is a development setup with one random contribution and a beacon:
 * fine for tests and testnets, not for a production poll, which needs a real ceremony.
 * CI never runs this script.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { BUILD_DIR, CIRCUITS_DIR, artifactsOf, type CircuitName } from '../src/zk/artifacts.js'
import { circuitSourcesHash, fileSha256, toolVersions } from '../src/zk/circuit-sources.js'

const PTAU_POWER = 14
const PTAU_DIR = new URL('../build/ptau/', import.meta.url).pathname
const PTAU = `${PTAU_DIR}pot${PTAU_POWER}_final.ptau`
const CIRCUITS: CircuitName[] = ['membership', 'leaf_opening', 'combined']
const nodeModules = new URL('../node_modules/', import.meta.url).pathname
const snarkjsCli = `${nodeModules}snarkjs/cli.js`
const circomCli = `${nodeModules}circom2/cli.js`

function run(script: string, args: string[]): string {
  return execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
}

const entropy = () => randomBytes(32).toString('hex')

function phase1(): void {
  mkdirSync(PTAU_DIR, { recursive: true })
  const step = (name: string) => `${PTAU_DIR}${name}.ptau`
  console.log(`phase 1: powers of tau 2^${PTAU_POWER} (about 8.5 minutes)`)
  run(snarkjsCli, ['powersoftau', 'new', 'bn128', String(PTAU_POWER), step('pot_0')])
  run(snarkjsCli, ['powersoftau', 'contribute', step('pot_0'), step('pot_1'), '--name=dev', `-e=${entropy()}`])
  run(snarkjsCli, ['powersoftau', 'beacon', step('pot_1'), step('pot_beacon'), entropy(), '10', '-n=beacon'])
  run(snarkjsCli, ['powersoftau', 'prepare', 'phase2', step('pot_beacon'), PTAU])
}

function compile(name: CircuitName): { constraints: number } {
  const out = `${BUILD_DIR}${name}`
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const log = run(circomCli, [`${CIRCUITS_DIR}${name}.circom`, '--r1cs', '--wasm', '--sym', '--O2', '-l', nodeModules, '-o', out])
  renameSync(`${out}/${name}_js/${name}.wasm`, artifactsOf(name).wasm)
  rmSync(`${out}/${name}_js`, { recursive: true })
  const constraints = Number(/non-linear constraints: (\d+)/.exec(log)?.[1] ?? NaN)
  if (!Number.isInteger(constraints)) throw new Error(`cannot read the constraint count of ${name} from circom's output`)
  return { constraints }
}

function phase2(name: CircuitName): void {
  const files = artifactsOf(name)
  const initial = `${files.zkey}.0`
  run(snarkjsCli, ['groth16', 'setup', files.r1cs, PTAU, initial])
  run(snarkjsCli, ['zkey', 'contribute', initial, files.zkey, '--name=dev', `-e=${entropy()}`])
  rmSync(initial)
  run(snarkjsCli, ['zkey', 'export', 'verificationkey', files.zkey, files.vkey])
}

if (process.argv.includes('--fresh-ptau') || !existsSync(PTAU)) phase1()

const manifest: Record<string, unknown> = { sourcesHash: circuitSourcesHash(), tools: toolVersions(), ptauPower: PTAU_POWER, circuits: {} }
for (const name of CIRCUITS) {
  console.log(`compiling ${name}`)
  const { constraints } = compile(name)
  console.log(`phase 2: ${name} (${constraints} constraints)`)
  phase2(name)
  const files = artifactsOf(name)
  ;(manifest.circuits as Record<string, unknown>)[name] = {
    constraints,
    sha256: Object.fromEntries(Object.entries(files).map(([kind, path]) => [kind, fileSha256(path)])),
  }
}
writeFileSync(`${BUILD_DIR}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`)
console.log('wrote circuits/build/manifest.json')
