/**
 * The demo's scenario against real daemon processes (operator, replica) over TCP + Noise on
 * 127.0.0.1, with real LevelDB directories, driven by the real CLI.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeTopologyPorts, LocalCluster, REPO_ROOT, type DaemonProcess, type LogLine } from '../../scripts/lib/local-cluster.js'
import { localPlacement, serviceEnv, services, type Ports, type ServiceSpec } from '../../scripts/lib/testnet-topology.js'

const execFileAsync = promisify(execFile)

describe('end to end: operator, replica and three voters as processes', () => {
  let root: string
  let ports: Ports
  let topology: ServiceSpec[]
  let cluster: LocalCluster
  /** Every operator process of the run (the test kills and restarts it). */
  const operators: DaemonProcess[] = []
  let replica: DaemonProcess
  const receipts: Record<string, Record<string, unknown>> = {}
  const reactivations: Record<string, { code: number | null; stdout: string }> = {}

  const env = (name: string) => serviceEnv(topology.find((service) => service.name === name) as ServiceSpec, localPlacement(root), ports)
  const cli = (name: string, args: string[]) => cluster.runOk(args, env(name))
  const json = async (name: string, args: string[]) => JSON.parse(await cli(name, ['--json', ...args])) as Record<string, unknown>
  const operator = () => operators[operators.length - 1]

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-e2e-'))
    ports = await freeTopologyPorts()
    topology = services(3, ports)
    cluster = new LocalCluster()
    operators.push(await cluster.startDaemon('operator', ['operator', 'start', '--init'], env('operator')))
    replica = await cluster.startDaemon('replica', ['replica', 'start'], env('replica'))
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('signs up three voters, and takes a valid and an invalid deactivation alike', async () => {
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) await cli(voter, ['voter', 'keygen'])
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) await cli(voter, ['voter', 'signup'])
    receipts.valid = await json('voter-1', ['voter', 'deactivate'])
    await cli('voter-2', ['voter', 'deactivate'])
    // voter-2's key is no longer active: its second deactivation is the invalid one.
    receipts.invalid = await json('voter-2', ['voter', 'deactivate'])
    expect(Object.keys(receipts.valid)).toEqual(Object.keys(receipts.invalid))
    expect(receipts.valid.leafIndex).toBe(0)
    expect(receipts.invalid.leafIndex).toBe(2)
  })

  it('keeps all state across kill -9 and a restart of the operator', async () => {
    const before = await json('operator', ['operator', 'status'])
    expect(before).toMatchObject({ signups: 3, deactivations: 3, votes: 0 })
    expect(await operator().stop('SIGKILL')).toBe(null)
    operators.push(await cluster.startDaemon('operator', ['operator', 'start', '--init'], env('operator')))
    expect(operator().peerId).toBe(operators[0].peerId)
    const after = await json('operator', ['operator', 'status'])
    expect(after).toEqual(before)
  })

  it('mirrors the leaves on the replica, which follows the restarted operator', async () => {
    await replica.waitForLog((line) => line.msg === 'mirrored new entries' && Number(line.to) >= 3)
    const synced = await json('voter-3', ['voter', 'sync'])
    expect(synced).toMatchObject({ leaves: 3, source: 'replica', root: receipts.invalid.root, confirmations: 1 })
  })

  it('prints the same reactivation output for the valid and the invalid deactivation', async () => {
    for (const [voter, kind] of [
      ['voter-1', 'valid'],
      ['voter-2', 'invalid'],
    ]) {
      const result = await cluster.run(['voter', 'reactivate'], env(voter))
      reactivations[kind] = { code: result.code, stdout: result.stdout }
    }
    expect(reactivations.valid.code).toBe(0)
    expect(reactivations.invalid).toEqual(reactivations.valid)
    expect(reactivations.valid.stdout).toMatch(/^reactivation submitted: /)
  })

  it('synced the leaf list from the replica, never from the operator', () => {
    const leafSessions = (daemon: DaemonProcess) =>
      daemon.logs.filter((line: LogLine) => line.msg === 'session ended' && line.protocol === 'sync' && (line.served as string[]).includes('leaves'))
    const fromOperator = operators.flatMap(leafSessions).map((line) => line.peer)
    expect(fromOperator.length).toBeGreaterThan(0)
    expect(new Set(fromOperator)).toEqual(new Set([replica.peerId]))
    // voter-3's sync and both reactivations fetched the whole list from the replica.
    expect(leafSessions(replica).length).toBeGreaterThanOrEqual(3)
    expect(leafSessions(replica).every((line) => line.peer !== replica.peerId)).toBe(true)
  })

  it('ran each reactivation from a fresh peer identity, which asked the operator for nothing but its parameters', () => {
    const ended = operators.flatMap((daemon) => daemon.logs.filter((line) => line.msg === 'session ended'))
    const peers = ended.filter((line) => line.protocol === 'reactivate').map((line) => line.peer)
    expect(peers).toHaveLength(2)
    expect(new Set(peers).size).toBe(2)
    // At info level a parameters-only read is not even logged; whatever is must be no more than that.
    const otherSessions = ended.filter((line) => line.protocol !== 'reactivate' && peers.includes(line.peer))
    expect(otherSessions.every((line) => line.protocol === 'sync' && JSON.stringify(line.served) === '["parameters"]')).toBe(true)
    // Every voter command has its identity: no signup and no message came from a reactivation's.
    const others = ended.filter((line) => line.protocol === 'signup' || line.protocol === 'message').map((line) => line.peer)
    expect(others.some((peer) => peers.includes(peer))).toBe(false)
    expect(new Set(others).size).toBe(others.length)
  })

  it('reports sessions in the Prometheus endpoint on 127.0.0.1', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.operator.metrics}/metrics`)
    const text = await response.text()
    expect(text).toMatch(/maci_anon_sessions_total\{protocol="reactivate",outcome="ok",role="operator"\} 2/)
    expect(text).toMatch(/maci_anon_state_size\{kind="reactivation_attempts",role="operator"\} 2/)
  })

  it("counts the new key's vote, not the old key's, and nothing from the invalid reactivation", async () => {
    await cli('voter-1', ['voter', 'vote', '1'])
    await cli('voter-1', ['voter', 'vote', '2', '--key', '0'])
    await cli('voter-2', ['voter', 'vote', '2'])
    await cli('voter-3', ['voter', 'vote', '3'])
    expect(await operator().stop('SIGTERM')).toBe(0)
    const tally = await json('operator', ['operator', 'tally'])
    expect(tally).toEqual({ counts: { '0': 0, '1': 1, '2': 0, '3': 1 }, countedVotes: 2, ignoredVotes: 2, source: 'offline' })
  })

  it('exports proofs that pass snarkjs groth16 verify', async () => {
    const directory = join(root, 'proofs')
    expect(await json('operator', ['operator', 'export-proofs', directory])).toMatchObject({ exported: 1 })
    const activations = (await readdir(directory)).filter((name) => name.startsWith('activation-'))
    expect(activations).toHaveLength(1)
    for (const circuit of ['membership', 'leaf_opening']) {
      const base = join(directory, activations[0], circuit)
      const snarkjs = join(REPO_ROOT, 'node_modules', 'snarkjs', 'build', 'cli.cjs')
      const { stdout } = await execFileAsync(process.execPath, [snarkjs, 'groth16', 'verify', `${base}.vkey.json`, `${base}.public.json`, `${base}.proof.json`])
      expect(stdout).toMatch(/OK/)
    }
  })
})
