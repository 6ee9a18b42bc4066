/**
 * `npm start`: the whole system in one command. An operator, a replica and three voters run
 * as separate processes on 127.0.0.1 with throwaway data directories, and every step goes
 * through the real `maci-anon` CLI over TCP + Noise:
 *
 *   All three sign up.
 *   voter-1 deactivates (valid); voter-2 deactivates twice, and its second deactivation is
 *   invalid (the key is no longer active: a random leaf).
 *   voter-1 and voter-2 (with its invalid deactivation) reactivate through the 2PC, each on
 *   a fresh peer identity for every read and the 2PC, and see the same output (every voter
 *   command runs on a fresh identity of its own).
 *   Votes: voter-1's new key and old key, voter-2's new key, voter-3's key.
 *   The operator stops; the tally counts voter-1's new key and voter-3 only; the accepted
 *   reactivation's proofs are exported and checked with snarkjs.
 *
 * Exits 0 when the tally is the expected one, 1 otherwise.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freeTopologyPorts, LocalCluster, REPO_ROOT } from './lib/local-cluster.js'
import { localPlacement, serviceEnv, services, type Ports, type ServiceSpec } from './lib/testnet-topology.js'

const execFileAsync = promisify(execFile)
const SNARKJS = join(REPO_ROOT, 'node_modules', 'snarkjs', 'build', 'cli.cjs')
// The demo tallies after the operator has stopped, so the CLI reads its files: source offline.
const EXPECTED_TALLY = { counts: { '0': 0, '1': 1, '2': 1, '3': 0 }, countedVotes: 2, ignoredVotes: 2, source: 'offline' }

let stepNumber = 0
const step = (text: string) => console.log(`\n[${++stepNumber}] ${text}`)
const detail = (text: string) => console.log(`    ${text}`)

async function main(): Promise<number> {
  const started = performance.now()
  const root = await mkdtemp(join(tmpdir(), 'maci-anon-demo-'))
  const ports: Ports = await freeTopologyPorts()
  const topology = services(3, ports)
  const placement = localPlacement(root)
  const spec = (name: string) => topology.find((service) => service.name === name) as ServiceSpec
  const env = (name: string) => serviceEnv(spec(name), placement, ports)
  const cluster = new LocalCluster()
  const cli = (name: string, args: string[]) => cluster.runOk(args, env(name))
  const json = async (name: string, args: string[]) => JSON.parse(await cli(name, ['--json', ...args])) as Record<string, unknown>

  console.log(`maci-anon demo: an operator, a replica and 3 voters on 127.0.0.1 (data in ${root})`)
  try {
    step('operator daemon')
    const operator = await cluster.startDaemon('operator', spec('operator').steps[0], env('operator'))
    detail(`peer ${operator.peerId} on ${operator.addresses[0]}, metrics http://127.0.0.1:${ports.operator.metrics}/metrics`)

    step('replica daemon, following the operator')
    const replica = await cluster.startDaemon('replica', spec('replica').steps[0], env('replica'))
    detail(`peer ${replica.peerId} on ${replica.addresses[0]}`)

    step('voters create their keystores')
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) {
      const key = await json(voter, ['voter', 'keygen'])
      detail(`${voter}: key ${String(key.publicKey).slice(0, 24)}…`)
    }

    step('the three voters sign up')
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) detail(`${voter}: state index ${String((await json(voter, ['voter', 'signup'])).stateIndex)}`)

    step('deactivations: voter-1 (valid), voter-2 twice (the second is invalid: its key is no longer active)')
    for (const [voter, kind] of [
      ['voter-1', 'valid'],
      ['voter-2', 'valid'],
      ['voter-2', 'invalid'],
    ]) {
      const receipt = await json(voter, ['voter', 'deactivate'])
      detail(`${voter} (${kind}): receipt {leaf index ${String(receipt.leafIndex)}, leaf ${String(receipt.leaf).slice(0, 16)}…, root ${String(receipt.root).slice(0, 16)}…}`)
    }
    detail('all receipts have the same form; only the operator knows which leaves are real')

    step('the replica mirrors the three leaves and checks each against the operator-signed root history')
    await replica.waitForLog((line) => line.msg === 'mirrored new entries' && Number(line.to) >= 3)
    detail('replica holds 3 leaves')

    step("voter-1 and voter-2 (its invalid deactivation) reactivate: each on a fresh peer identity, tree from the replica, signed root checked")
    const outputs: string[] = []
    for (const voter of ['voter-1', 'voter-2']) {
      const begun = performance.now()
      const output = (await cli(voter, ['voter', 'reactivate'])).trim()
      outputs.push(output)
      detail(`${voter}: "${output}" (${((performance.now() - begun) / 1000).toFixed(1)} s)`)
    }
    detail(`outputs identical: ${outputs[0] === outputs[1] ? 'yes' : 'NO'}`)
    if (outputs[0] !== outputs[1]) return 1

    step('votes')
    const votes: Array<[string, string, string[]]> = [
      ['voter-1', '1', []],
      ['voter-1', '2', ['--key', '0']],
      ['voter-2', '2', []],
      ['voter-3', '2', []],
    ]
    for (const [voter, option, extra] of votes) {
      await cli(voter, ['voter', 'vote', option, ...extra])
      detail(`${voter} votes ${option} with its ${extra.length > 0 ? 'old (deactivated) key' : 'newest key'}`)
    }

    step('the operator stops (SIGTERM, graceful) and tallies')
    detail(`operator exited with ${await operator.stop()}`)
    const tally = await json('operator', ['operator', 'tally'])
    detail(`tally: ${JSON.stringify(tally.counts)}; counted ${String(tally.countedVotes)}, ignored ${String(tally.ignoredVotes)}`)
    detail("counted: voter-1's new key and voter-3; ignored: voter-1's old key and voter-2's new key")

    step('export-proofs, checked with snarkjs groth16 verify')
    const proofs = join(root, 'proofs')
    const exported = await json('operator', ['operator', 'export-proofs', proofs])
    detail(`${String(exported.exported)} accepted activation(s) exported`)
    for (const activation of (await readdir(proofs)).filter((name) => name.startsWith('activation-'))) {
      for (const circuit of ['membership', 'leaf_opening']) {
        const base = join(proofs, activation, circuit)
        const { stdout } = await execFileAsync(process.execPath, [SNARKJS, 'groth16', 'verify', `${base}.vkey.json`, `${base}.public.json`, `${base}.proof.json`])
        detail(`${activation} ${circuit}: ${stdout.includes('OK') ? 'OK' : 'FAILED'}`)
      }
    }

    const matches = JSON.stringify(tally) === JSON.stringify(EXPECTED_TALLY)
    console.log(`\ntally ${matches ? 'as expected' : 'UNEXPECTED'}: ${JSON.stringify(tally)} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    return matches ? 0 : 1
  } finally {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
