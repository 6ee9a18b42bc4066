/**
 * Attack 3 of issue 8 (P2, honest-but-curious operator): linkage through reads. The voter
 * used to sync leaves and ask the operator for ROOTS from its persistent peer identity, the
 * one that sent its deactivation, then publish that root in its membership proof, so the
 * operator's own logs linked the old key to the new one.
 *
 * Real operator and replica daemons as processes, a voter running the real CLI. From the
 * operator's and the replica's JSON logs: after its deactivation the voter's persistent
 * identity opens no session at all (no parameters, leaves or roots), the reactivation runs
 * on another identity, and no line that names a peer carries anything the reactivation
 * reveals (root, N, L, new key hash, or any amount such as the tree size it synced). The
 * voter also refuses too small an anonymity set and a tree with no independent source,
 * and announces its random delay.
 * On the old code the persistent identity read the leaf list from the replica and ROOTS
 * from the operator, and session lines carried item counts (the tree size): it failed.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, type DaemonProcess, type LogLine } from '../../src/cli/local-cluster.js'
import { loadOrCreatePeerKey } from '../../src/daemon/node.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { localPlacement, serviceEnv, services, type Ports, type ServiceSpec } from '../../src/daemon/topology.js'

/** Everything a session line may hold beside a peer ID: what it was and how it ended, nothing it carried. */
const SESSION_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'protocol', 'peer', 'durationMs', 'served', 'code', 'remote'])

describe('attack 3: linkage through reads', () => {
  let root: string
  let ports: Ports
  let topology: ServiceSpec[]
  let cluster: LocalCluster
  let operator: DaemonProcess
  let replica: DaemonProcess
  let persistentPeer: string
  let afterDeactivation = 0
  let reactivation: { code: number | null; stdout: string; stderr: string }

  const env = (name: string) => serviceEnv(topology.find((service) => service.name === name) as ServiceSpec, localPlacement(root), ports)
  const cli = (name: string, args: string[]) => cluster.runOk(args, env(name))
  const ended = (daemon: DaemonProcess, from = 0) => daemon.logs.slice(from).filter((line) => line.msg === 'session ended' || line.msg === 'session failed')

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-linkage-'))
    ports = {
      operator: { p2p: await freePort(), metrics: await freePort() },
      replica: { p2p: await freePort(), metrics: await freePort() },
    }
    topology = services(3, ports)
    cluster = new LocalCluster()
    // Debug level, so that even poll-only sync sessions are in the logs the test reads.
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], { ...env('operator'), MACI_ANON_LOG_LEVEL: 'debug' })
    replica = await cluster.startDaemon('replica', ['replica', 'start'], { ...env('replica'), MACI_ANON_LOG_LEVEL: 'debug' })

    for (const voter of ['voter-1', 'voter-2', 'voter-3']) {
      await cli(voter, ['voter', 'keygen'])
      await cli(voter, ['voter', 'signup'])
    }
    await cli('voter-1', ['voter', 'deactivate'])
    afterDeactivation = operator.logs.length
    await cli('voter-2', ['voter', 'deactivate'])
    await cli('voter-3', ['voter', 'deactivate'])
    await replica.waitForLog((line) => line.msg === 'mirrored new entries' && Number(line.to) >= 3)
    persistentPeer = peerIdFromPrivateKey(await loadOrCreatePeerKey(dataPaths(env('voter-1').MACI_ANON_DATA_DIR).peerKey)).toString()
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('refuses until enough leaves follow its own, and says how to change that', async () => {
    const result = await cluster.run(['voter', 'reactivate', '--anonymity-set', '5'], env('voter-1'))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/only 2 leaves follow yours/)
    expect(result.stderr).toMatch(/needs 5/)
    expect(result.stderr).toMatch(/--anonymity-set, MACI_ANON_ANONYMITY_SET/)
  })

  it('refuses a tree no replica confirms, unless told otherwise', async () => {
    const result = await cluster.run(['voter', 'reactivate'], { ...env('voter-1'), MACI_ANON_REPLICA: '' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/no replica is configured/)
    expect(result.stderr).toMatch(/--allow-single-source/)
  })

  it('reactivates after the sync and a random delay it announces', async () => {
    reactivation = await cluster.run(['voter', 'reactivate', '--anonymity-set', '2', '--reactivation-delay-max-ms', '1500'], env('voter-1'))
    expect(reactivation.code).toBe(0)
    expect(reactivation.stdout).toMatch(/^reactivation submitted: /)
    expect(reactivation.stderr).toMatch(/2 leaves follow yours \(at least 2 required\)/)
    expect(reactivation.stderr).toMatch(/waiting \d+\.\d s before the 2PC \(random delay, at most 1\.5 s\)/)
    expect(reactivation.stderr).toMatch(/confirmed by 1 replica/)
  })

  it('after its deactivation the persistent identity opened no session; the reactivation ran on another one', () => {
    expect(ended(operator, 0).some((line) => line.peer === persistentPeer && line.protocol === 'message')).toBe(true)
    expect(ended(operator, afterDeactivation).filter((line) => line.peer === persistentPeer)).toEqual([])
    expect(ended(replica).filter((line) => line.peer === persistentPeer)).toEqual([])

    const sessions = ended(operator).filter((line) => line.protocol === 'reactivate')
    expect(sessions).toHaveLength(1)
    const fresh = sessions[0].peer
    expect(fresh).not.toBe(persistentPeer)
    // The fresh identity did the reads: leaves and signed roots from the replica, parameters from both.
    const replicaReads = ended(replica).filter((line) => line.peer === fresh)
    expect(replicaReads.flatMap((line) => line.served as string[])).toEqual(expect.arrayContaining(['parameters', 'head', 'leaves', 'roots']))
    const operatorReads = ended(operator).filter((line) => line.peer === fresh && line.protocol === 'sync')
    expect(operatorReads.map((line) => line.served)).toEqual([['parameters']])
  })

  it('no log line names a peer beside what the reactivation reveals', async () => {
    expect(await operator.stop()).toBe(0)
    const directory = join(root, 'proofs')
    await cli('operator', ['operator', 'export-proofs', directory])
    const [activation] = (await readdir(directory)).filter((name) => name.startsWith('activation-'))
    const revealed = new Set<string>()
    for (const circuit of ['membership', 'leaf_opening']) {
      const signals = JSON.parse(await readFile(join(directory, activation, `${circuit}.public.json`), 'utf8')) as string[]
      for (const signal of signals) revealed.add(signal)
    }
    // root, N, newKeyHash and L of the membership proof; L and KC of the leaf opening.
    expect(revealed.size).toBeGreaterThanOrEqual(4)

    const lines: LogLine[] = [...operator.logs, ...replica.logs]
    const withPeer = lines.filter((line) => typeof line.peer === 'string')
    expect(withPeer.length).toBeGreaterThan(20)
    for (const line of withPeer) {
      expect(Object.keys(line).filter((key) => !SESSION_FIELDS.has(key))).toEqual([])
      const text = JSON.stringify(line)
      for (const value of revealed) expect(text.includes(value)).toBe(false)
    }
  })
})
