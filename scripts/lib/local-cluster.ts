/**
 * Runs `maci-anon` processes on this machine: daemons that keep running (operator, replica)
 * and one-shot CLI commands (voters). The demo, the testnet and the end-to-end tests all
 * drive the network through it, so they exercise the real CLI over real TCP connections.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Ports } from './testnet-topology.js'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
// The sources on tsx, not the build in dist/: the demo, the testnet and the tests run what
// is in the tree now, and need no `npm run build` after an edit.
const MAIN = `${REPO_ROOT}src/cli/main.ts`

/** One line a daemon logged (pino JSON), or its raw text if it was not JSON. */
export type LogLine = Record<string, unknown> & { msg?: string }

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export class ClusterError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClusterError'
  }
}

export class DaemonProcess {
  readonly logs: LogLine[] = []
  readonly exited: Promise<number | null>
  peerId = ''
  addresses: string[] = []
  private listeners: Array<(line: LogLine) => void> = []

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    onLine?: (name: string, line: LogLine) => void,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    let partial = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const text of lines) {
        if (text.trim() === '') continue
        const line = parseLine(text)
        this.logs.push(line)
        onLine?.(name, line)
        for (const listener of this.listeners) listener(line)
      }
    })
    child.stdout?.resume()
  }

  /** Resolves with the first log line `match` accepts; rejects if the process exits first. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.logs.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new ClusterError(`${this.name}: no matching log line within ${timeoutMs} ms`)), timeoutMs)
      const listener = (line: LogLine) => {
        if (!match(line)) return
        cleanup()
        resolve(line)
      }
      const fail = (error: Error) => {
        cleanup()
        reject(error)
      }
      const cleanup = () => {
        clearTimeout(timer)
        this.listeners = this.listeners.filter((other) => other !== listener)
      }
      this.listeners.push(listener)
      void this.exited.then((code) => fail(new ClusterError(`${this.name} exited with ${code} before it was ready`)))
    })
  }

  /** Send `signal` and wait for the exit code; SIGKILL if the process outlives `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }
}

export interface ClusterOptions {
  /** Called for every daemon log line (the testnet prints them). */
  onLog?: (name: string, line: LogLine) => void
}

export class LocalCluster {
  private readonly daemons: DaemonProcess[] = []

  constructor(private readonly options: ClusterOptions = {}) {}

  /** Start a daemon and wait until it logs that it is listening. */
  async startDaemon(name: string, args: string[], env: Record<string, string>): Promise<DaemonProcess> {
    const daemon = new DaemonProcess(name, this.spawnCli(args, env), this.options.onLog)
    this.daemons.push(daemon)
    const ready = await daemon.waitForLog((line) => line.msg === 'listening')
    daemon.peerId = String(ready.peerId)
    daemon.addresses = (ready.addresses as string[] | undefined) ?? []
    return daemon
  }

  /** Run one CLI command to completion. */
  run(args: string[], env: Record<string, string>): Promise<CliResult> {
    const child = this.spawnCli(args, env)
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    return new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code) => resolve({ code, stdout, stderr }))
    })
  }

  /** Run a CLI command that must succeed; its stdout. */
  async runOk(args: string[], env: Record<string, string>): Promise<string> {
    const result = await this.run(args, env)
    if (result.code !== 0) {
      throw new ClusterError(`maci-anon ${args.join(' ')} exited with ${result.code}:\n${result.stderr.trim()}`)
    }
    return result.stdout
  }

  /** Stop every daemon still running (SIGTERM, graceful). */
  async stopAll(): Promise<void> {
    await Promise.all(this.daemons.map((daemon) => daemon.stop()))
  }

  private spawnCli(args: string[], env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...inheritedEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }
}

/** The parent's environment without MACI_ANON_* settings, which would leak into every node. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MACI_ANON_')))
}

function parseLine(text: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null) return parsed as LogLine
  } catch {
    // Not JSON: a progress line or a crash trace.
  }
  return { text }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new ClusterError('no port'))))
    })
  })
}

/** Free ports for a testnet's two daemons, so that runs beside each other do not collide. */
export async function freeTopologyPorts(): Promise<Ports> {
  const daemon = async () => ({ p2p: await freePort(), ws: await freePort(), metrics: await freePort() })
  return { operator: await daemon(), replica: await daemon() }
}
