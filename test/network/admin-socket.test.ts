/**
 * Issue 13, scope 2: the operator daemon's admin socket (src/daemon/admin-socket.ts), on a
 * real daemon process. Only the operator's user may reach it, a bad request costs its sender
 * an error and nobody else anything, and when the daemon is gone the CLI says it read the
 * stopped daemon's files.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, lstat, stat, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DaemonProcess, freePort, LocalCluster, REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { adminSocketPath, MAX_REQUEST_BYTES, REQUEST_DEADLINE_MS } from '../../src/daemon/admin-socket.js'
import { temporaryDirectory } from './helpers.js'

/** Writes `bytes` as they are (no framing added) and returns the daemon's reply, parsed. */
function exchange(path: string, bytes: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(path)
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    // The daemon may hang up before an oversized request is all written: the reply is what counts.
    socket.on('error', () => undefined)
    socket.on('close', () => {
      try {
        resolve(JSON.parse(text) as Record<string, unknown>)
      } catch {
        reject(new Error(`not a JSON reply: ${JSON.stringify(text)}`))
      }
    })
    socket.write(bytes)
  })
}

/**
 * `operator start` that should refuse: its exit code and stderr lines. Not cluster.run, which
 * would wait forever on a daemon that starts after all; this one is killed after 30 s.
 */
async function refusedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'operator', 'start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const daemon = new DaemonProcess('operator', child)
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await daemon.exited
  clearTimeout(timer)
  return { code, stderr: daemon.logs.map((line) => (typeof line.text === 'string' ? line.text : JSON.stringify(line))) }
}

describe('the operator daemon admin socket', () => {
  let root: Awaited<ReturnType<typeof temporaryDirectory>>
  let dataDir: string
  let socketPath: string
  let env: Record<string, string>
  const cluster = new LocalCluster()
  let operator: DaemonProcess

  beforeAll(async () => {
    root = await temporaryDirectory()
    dataDir = join(root.path, 'operator')
    socketPath = adminSocketPath(dataDir)
    env = { MACI_ANON_DATA_DIR: dataDir, MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${await freePort()}` }
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], env)
  })

  afterAll(async () => {
    await cluster.stopAll()
    await root.remove()
  })

  it('is a socket with mode 0600, in a directory others cannot write', async () => {
    const socket = await lstat(socketPath)
    expect(socket.isSocket()).toBe(true)
    expect(socket.mode & 0o777).toBe(0o600)
    expect((await stat(dataDir)).mode & 0o002).toBe(0)
  })

  it('answers a request, refuses bad ones with a code, and keeps serving', async () => {
    expect(await exchange(socketPath, '{"op":"status"}\n')).toMatchObject({ ok: true, result: { role: 'operator', signups: 0, root: expect.stringMatching(/^\d+$/) } })
    const refusals: Array<[string, string]> = [
      ['not json\n', 'MALFORMED'],
      ['[1,2]\n', 'MALFORMED'],
      ['{"op":"drop-tables"}\n', 'UNKNOWN_OP'],
      ['{"op":"export-proofs","dir":"relative/path"}\n', 'MALFORMED'],
      [`{"op":"status","pad":"${'x'.repeat(MAX_REQUEST_BYTES)}"}\n`, 'TOO_LARGE'],
      ['x'.repeat(MAX_REQUEST_BYTES + 1), 'TOO_LARGE'],
    ]
    for (const [request, code] of refusals) {
      const reply = await exchange(socketPath, request)
      expect(reply, request.slice(0, 40)).toMatchObject({ ok: false, code, error: expect.any(String) })
    }
    expect(await exchange(socketPath, '{"op":"tally"}\n')).toEqual({ ok: true, result: { counts: { 0: 0, 1: 0, 2: 0, 3: 0 }, countedVotes: 0, ignoredVotes: 0 } })
  })

  it('gives a silent client a deadline, and still answers the next one', async () => {
    const started = Date.now()
    expect(await exchange(socketPath, '{"op":')).toMatchObject({ ok: false, code: 'TIMEOUT' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_DEADLINE_MS - 100)
    expect(await exchange(socketPath, '{"op":"status"}\n')).toMatchObject({ ok: true })
  })

  it('is answered through the CLI, which says the answer came from the daemon', async () => {
    const status = JSON.parse(await cluster.runOk(['--json', 'operator', 'status'], env)) as Record<string, unknown>
    expect(status).toMatchObject({ role: 'operator', signups: 0, source: 'daemon' })
    expect(await cluster.runOk(['operator', 'status'], env)).not.toContain('offline')
  })

  it('is removed when the daemon stops, and the CLI then reads offline and says so', async () => {
    expect(await operator.stop()).toBe(0)
    expect(existsSync(socketPath)).toBe(false)
    const human = await cluster.runOk(['operator', 'status'], env)
    expect(human).toContain("offline: read from the stopped daemon's files")
    expect(human).toMatch(/^role: +operator$/m)
    const tally = JSON.parse(await cluster.runOk(['--json', 'operator', 'tally'], env)) as Record<string, unknown>
    expect(tally).toMatchObject({ countedVotes: 0, ignoredVotes: 0, source: 'offline' })
  })

  it('starts over the socket file a killed daemon left behind', async () => {
    const killed = await cluster.startDaemon('operator', ['operator', 'start'], env)
    expect(await killed.stop('SIGKILL')).toBe(null)
    // Nothing listens on it now, and nothing unlinked it.
    expect((await lstat(socketPath)).isSocket()).toBe(true)
    const status = JSON.parse(await cluster.runOk(['--json', 'operator', 'status'], env)) as Record<string, unknown>
    expect(status.source).toBe('offline')
    operator = await cluster.startDaemon('operator', ['operator', 'start'], env)
    expect(await exchange(socketPath, '{"op":"status"}\n')).toMatchObject({ ok: true, result: { role: 'operator' } })
    expect((await lstat(socketPath)).mode & 0o777).toBe(0o600)
  })
  it('refuses, in one line, a world-writable directory and a file that is not a socket', async () => {
    expect(await operator.stop()).toBe(0)
    await chmod(dataDir, 0o777)
    const open = await refusedStart(env)
    await chmod(dataDir, 0o700)
    expect(open).toEqual({ code: 1, stderr: [`error: ${dataDir} is world-writable: the admin socket needs a directory only the operator can write`] })
    await writeFile(socketPath, 'not a socket')
    expect(await refusedStart(env)).toEqual({ code: 1, stderr: [`error: ${socketPath} exists and is not a socket: remove it`] })
  })
})
