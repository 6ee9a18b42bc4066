/**
 * Attack 3 of issue 8 (P2, honest-but-curious operator): linkage through reads, and its
 * sequel from the second review, linkage through the voter's own identity. The voter used
 * to sync leaves and ask the operator for ROOTS from its persistent peer identity, the one
 * that sent its deactivation, then publish that root in its membership proof. After that
 * was fixed, the new key's vote and deactivation and `voter status` still went over that
 * persistent identity, the one that had signed up and deactivated the old key: the operator
 * decrypts the vote, sees the new key, and its own logs link the two keys by peer ID.
 *
 * Real operator and replica daemons as processes, voters running the real CLI. From the
 * operator's and the replica's JSON logs: every command ran on a peer ID of its own, used by
 * no other command; the peer IDs that carried the old key's signup and deactivation are
 * disjoint from those that carried the reactivation and the new key's vote and
 * deactivation; the voter keeps no peer key; the reactivation's identity did its reads; and
 * no line that names a peer carries anything the reactivation reveals (root, N, L, new key
 * hash, or any amount such as the tree size it synced). The voter also refuses too small
 * an anonymity set and a tree with no independent source, and announces its random delay.
 * On the code before the first fix the persistent identity read the leaf list and ROOTS,
 * and session lines carried item counts; on the code before the second, signup,
 * deactivation, vote and status of both keys shared one peer ID and the voter kept
 * `peer.key`: it failed both times. (The IP address still links them: docs/SECURITY.md.)
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeTopologyPorts, LocalCluster, type DaemonProcess, type LogLine } from '../../scripts/lib/local-cluster.js'
import { localPlacement, serviceEnv, services, type Ports, type ServiceSpec } from '../../scripts/lib/testnet-topology.js'

/** Everything a session line may hold beside a peer ID: what it was and how it ended, nothing it carried. */
const SESSION_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'protocol', 'peer', 'durationMs', 'served', 'code', 'remote'])

/** One CLI command and the voter peer IDs the daemons saw while it ran. */
interface CommandRecord {
  voter: string
  label: string
  peers: Set<string>
}

describe('attack 3: linkage through reads and through the voter identity', () => {
  let root: string
  let ports: Ports
  let topology: ServiceSpec[]
  let cluster: LocalCluster
  let operator: DaemonProcess
  let replica: DaemonProcess
  const commands: CommandRecord[] = []

  const env = (name: string) => serviceEnv(topology.find((service) => service.name === name) as ServiceSpec, localPlacement(root), ports)
  const ended = (daemon: DaemonProcess, from = 0) => daemon.logs.slice(from).filter((line) => line.msg === 'session ended' || line.msg === 'session failed')
  const peersOf = (record: string) => commands.find((command) => command.label === record)?.peers ?? new Set<string>()

  /**
   * Runs a voter command and records every peer other than the daemons that opened a
   * session with either daemon meanwhile. It waits until each session the command started
   * has ended, and a little longer for lines still in the pipes, so that no session is
   * counted under the next command.
   */
  async function voterCommand(voter: string, label: string, args: string[], extraEnv: Record<string, string> = {}) {
    const from = { operator: operator.logs.length, replica: replica.logs.length }
    const result = await cluster.run(args, { ...env(voter), ...extraEnv })
    const daemonPeers = new Set([operator.peerId, replica.peerId])
    const window = () => [...operator.logs.slice(from.operator), ...replica.logs.slice(from.replica)].filter((line) => !daemonPeers.has(String(line.peer)))
    for (let settled = 0, polls = 0; settled < 3 && polls < 100; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const lines = window()
      const open = lines.filter((line) => line.msg === 'session started').length - lines.filter((line) => line.msg === 'session ended' || line.msg === 'session failed').length
      settled = open <= 0 ? settled + 1 : 0
    }
    const peers = new Set(window().flatMap((line) => (typeof line.peer === 'string' ? [line.peer] : [])))
    commands.push({ voter, label, peers })
    return result
  }

  async function voterCommandOk(voter: string, label: string, args: string[]) {
    const result = await voterCommand(voter, label, args)
    if (result.code !== 0) throw new Error(`${label} exited with ${result.code}: ${result.stderr}`)
    return result
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-linkage-'))
    ports = await freeTopologyPorts()
    topology = services(3, ports)
    cluster = new LocalCluster()
    // Debug level, so that every session, even a poll-only sync, is in the logs the test reads.
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], { ...env('operator'), MACI_ANON_LOG_LEVEL: 'debug' })
    replica = await cluster.startDaemon('replica', ['replica', 'start'], { ...env('replica'), MACI_ANON_LOG_LEVEL: 'debug' })

    for (const voter of ['voter-1', 'voter-2', 'voter-3']) {
      await voterCommandOk(voter, `${voter} keygen`, ['voter', 'keygen'])
      await voterCommandOk(voter, `${voter} signup`, ['voter', 'signup'])
    }
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) await voterCommandOk(voter, `${voter} deactivate`, ['voter', 'deactivate'])
    await replica.waitForLog((line) => line.msg === 'mirrored new entries' && Number(line.to) >= 3)
  })

  afterAll(async () => {
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('refuses until enough leaves follow its own, and says how to change that', async () => {
    const result = await voterCommand('voter-1', 'voter-1 reactivate (anonymity set)', ['voter', 'reactivate', '--anonymity-set', '5'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/only 2 leaves follow yours/)
    expect(result.stderr).toMatch(/needs 5/)
    expect(result.stderr).toMatch(/--anonymity-set, MACI_ANON_ANONYMITY_SET/)
  })

  it('refuses a tree no replica confirms, unless told otherwise', async () => {
    const result = await voterCommand('voter-1', 'voter-1 reactivate (no replica)', ['voter', 'reactivate'], { MACI_ANON_REPLICA: '' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/no replica is configured/)
    expect(result.stderr).toMatch(/--allow-single-source/)
  })

  it('reactivates after the sync and a random delay it announces', async () => {
    const reactivation = await voterCommand('voter-1', 'voter-1 reactivate', ['voter', 'reactivate', '--anonymity-set', '2', '--reactivation-delay-max-ms', '1500'])
    expect(reactivation.code).toBe(0)
    expect(reactivation.stdout).toMatch(/^reactivation submitted: /)
    expect(reactivation.stderr).toMatch(/2 leaves follow yours \(at least 2 required\)/)
    expect(reactivation.stderr).toMatch(/waiting \d+\.\d s before the 2PC \(random delay, at most 1\.5 s\)/)
    expect(reactivation.stderr).toMatch(/confirmed by 1 replica/)
  })

  it('the new key votes, is deactivated and the voter asks for status, the way a voter goes on after reactivating', async () => {
    const status = JSON.parse((await voterCommandOk('voter-1', 'voter-1 status (before)', ['--json', 'voter', 'status'])).stdout) as {
      keys: Array<{ origin: string }>
    }
    expect(status.keys.map((key) => key.origin)).toEqual(['keygen', 'reactivation'])
    // The default key is the newest: the one the reactivation asked for.
    await voterCommandOk('voter-1', 'voter-1 vote (new key)', ['voter', 'vote', '1'])
    await voterCommandOk('voter-1', 'voter-1 deactivate (new key)', ['voter', 'deactivate'])
    await voterCommandOk('voter-1', 'voter-1 status', ['voter', 'status'])
    await voterCommandOk('voter-2', 'voter-2 vote', ['voter', 'vote', '2'])
  })

  it('every command ran on a peer ID of its own, and the voter keeps no peer key', () => {
    for (const command of commands) {
      if (command.label.endsWith(' keygen')) expect(command.peers.size, command.label).toBe(0)
      else expect([...command.peers], command.label).toHaveLength(1)
    }
    const all = commands.flatMap((command) => [...command.peers])
    expect(new Set(all).size).toBe(all.length)
    for (const voter of ['voter-1', 'voter-2', 'voter-3']) expect(existsSync(join(env(voter).MACI_ANON_DATA_DIR, 'peer.key'))).toBe(false)
  })

  it("no peer ID carried both the old key's messages and the new key's", () => {
    const oldKey = new Set([...peersOf('voter-1 signup'), ...peersOf('voter-1 deactivate')])
    const newKey = new Set([...peersOf('voter-1 reactivate'), ...peersOf('voter-1 vote (new key)'), ...peersOf('voter-1 deactivate (new key)')])
    expect([...oldKey].filter((peer) => newKey.has(peer))).toEqual([])
    expect(oldKey.size).toBe(2)
    expect(newKey.size).toBe(3)
    // Each of them really carried its message to the operator.
    const messagePeers = new Set(ended(operator).filter((line) => line.protocol === 'message').map((line) => String(line.peer)))
    for (const label of ['voter-1 deactivate', 'voter-1 vote (new key)', 'voter-1 deactivate (new key)']) {
      expect([...peersOf(label)].every((peer) => messagePeers.has(peer)), label).toBe(true)
    }
  })

  it('the reactivation ran on its own identity, which did every read it depends on', () => {
    const sessions = ended(operator).filter((line) => line.protocol === 'reactivate')
    expect(sessions).toHaveLength(1)
    const fresh = String(sessions[0].peer)
    expect([...peersOf('voter-1 reactivate')]).toEqual([fresh])
    // Leaves and signed roots from the replica, parameters from both.
    const replicaReads = ended(replica).filter((line) => line.peer === fresh)
    expect(replicaReads.flatMap((line) => line.served as string[])).toEqual(expect.arrayContaining(['parameters', 'head', 'leaves', 'roots']))
    const operatorReads = ended(operator).filter((line) => line.peer === fresh && line.protocol === 'sync')
    expect(operatorReads.map((line) => line.served)).toEqual([['parameters']])
  })

  it('no log line names a peer beside what the reactivation reveals', async () => {
    expect(await operator.stop()).toBe(0)
    const directory = join(root, 'proofs')
    await cluster.runOk(['operator', 'export-proofs', directory], env('operator'))
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
