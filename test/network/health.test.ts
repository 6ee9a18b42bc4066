/**
 * The health endpoints (/healthz, /readyz) on the metrics server, in process and on real
 * operator and replica daemons, and the container health check (bin/maci-anon-health.js)
 * that docker-compose.yml and the Dockerfile run: it passes against a ready daemon and fails
 * once the daemon is stopped, although its data directory is still there.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, REPO_ROOT, type DaemonProcess } from '../../scripts/lib/local-cluster.js'
import { Metrics, type MetricsEndpoint } from '../../src/daemon/metrics.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { temporaryDirectory } from './helpers.js'

const execFileAsync = promisify(execFile)
const HEALTH_CHECK = `${REPO_ROOT}bin/maci-anon-health.js`

async function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  const text = await response.text()
  return { status: response.status, body: response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text }
}

/** Runs the health check as a container does, with the daemon's metrics settings. */
async function healthCheck(port: number | undefined, host = '0.0.0.0'): Promise<{ code: number; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, MACI_ANON_METRICS_HOST: host }
  if (port !== undefined) env.MACI_ANON_METRICS_PORT = String(port)
  try {
    const { stderr } = await execFileAsync(process.execPath, [HEALTH_CHECK], { env })
    return { code: 0, stderr }
  } catch (error) {
    const failed = error as { code: number; stderr: string }
    return { code: failed.code, stderr: failed.stderr }
  }
}

/** Polls /readyz until it answers 200 (a daemon logs "listening" just before it registers its checks). */
async function ready(port: number, withinMs = 15_000): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const answer = await get(port, '/readyz')
    if (answer.status === 200 || Date.now() > deadline) return answer
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('health endpoints on the metrics server', () => {
  let metrics: Metrics
  let endpoint: MetricsEndpoint

  beforeAll(async () => {
    metrics = new Metrics('test')
    endpoint = await metrics.serve(0, '127.0.0.1')
  })
  afterAll(() => endpoint.close())

  it('/healthz answers while the process runs; /readyz is 503 until checks are registered', async () => {
    expect(await get(endpoint.port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await get(endpoint.port, '/readyz')).toEqual({ status: 503, body: { ready: false, checks: {} } })
  })

  it('/readyz names the failing check, and is 200 once every check passes', async () => {
    let listening = false
    metrics.observeReadiness(() => ({ store: true, libp2p: listening }))
    expect(await get(endpoint.port, '/readyz')).toEqual({ status: 503, body: { ready: false, checks: { store: true, libp2p: false } } })
    listening = true
    expect(await get(endpoint.port, '/readyz')).toEqual({ status: 200, body: { ready: true, checks: { store: true, libp2p: true } } })
  })

  it('serves nothing else but /metrics', async () => {
    expect((await get(endpoint.port, '/metrics')).status).toBe(200)
    expect((await get(endpoint.port, '/ready')).status).toBe(404)
  })
})

describe('health of real daemons, and the container health check', () => {
  let cluster: LocalCluster
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>
  let operator: DaemonProcess
  let replica: DaemonProcess
  const ports = { operator: 0, operatorMetrics: 0, replicaMetrics: 0 }
  const operatorEnv = () => ({
    MACI_ANON_DATA_DIR: `${directory.path}/operator`,
    MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${ports.operator}`,
    MACI_ANON_METRICS_PORT: String(ports.operatorMetrics),
  })

  beforeAll(async () => {
    directory = await temporaryDirectory()
    ports.operator = await freePort()
    ports.operatorMetrics = await freePort()
    ports.replicaMetrics = await freePort()
    cluster = new LocalCluster()
    operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], operatorEnv())
    replica = await cluster.startDaemon('replica', ['replica', 'start'], {
      MACI_ANON_DATA_DIR: `${directory.path}/replica`,
      MACI_ANON_LISTEN: '/ip4/127.0.0.1/tcp/0',
      MACI_ANON_METRICS_PORT: String(ports.replicaMetrics),
      MACI_ANON_OPERATOR: `/ip4/127.0.0.1/tcp/${ports.operator}`,
    })
  })

  afterAll(async () => {
    await cluster.stopAll()
    await directory.remove()
  })

  it('the operator is ready: store open, libp2p listening, artifacts loaded', async () => {
    expect(await get(ports.operatorMetrics, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await ready(ports.operatorMetrics)).toEqual({ status: 200, body: { ready: true, checks: { store: true, libp2p: true, artifacts: true } } })
    expect(await healthCheck(ports.operatorMetrics)).toEqual({ code: 0, stderr: '' })
  })

  it('the replica is ready', async () => {
    expect(await ready(ports.replicaMetrics)).toEqual({ status: 200, body: { ready: true, checks: { store: true, libp2p: true, artifacts: true } } })
    expect(await healthCheck(ports.replicaMetrics, '127.0.0.1')).toEqual({ code: 0, stderr: '' })
  })

  it('fails against a stopped daemon whose files are still there', async () => {
    expect(await replica.stop()).toBe(0)
    expect(await operator.stop()).toBe(0)
    expect(existsSync(dataPaths(`${directory.path}/operator`).operatorState)).toBe(true)
    for (const port of [ports.operatorMetrics, ports.replicaMetrics]) {
      const { code, stderr } = await healthCheck(port)
      expect(code).toBe(1)
      expect(stderr).toBe(`health check failed: http://127.0.0.1:${port}/readyz is unreachable (ECONNREFUSED)\n`)
    }
    // What compose ran before: it reads the stopped daemon's files and succeeds.
    expect((await cluster.run(['operator', 'status'], operatorEnv())).code).toBe(0)
  })

  it('fails with one line when the metrics port is not configured', async () => {
    expect(await healthCheck(undefined)).toEqual({
      code: 1,
      stderr: 'health check failed: MACI_ANON_METRICS_PORT is not set (the health endpoints are on the metrics server)\n',
    })
  })
})
