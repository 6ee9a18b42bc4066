/**
 * Prometheus metrics (prom-client) and the HTTP endpoint that exposes them, with the health
 * probes beside them: /healthz (the process answers) and /readyz (the daemon's readiness
 * checks pass). The endpoint binds to 127.0.0.1 by default: metrics are for a local scraper
 * or an SSH tunnel. They never carry anything secret (protocol names, error codes, counts,
 * durations, and the names of the readiness checks).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { ProtocolName } from '../protocol/ids.js'
import { VERSION } from './version.js'

const PREFIX = 'maci_anon_'

export class Metrics {
  readonly registry = new Registry()
  readonly sessions: Counter<'protocol' | 'outcome'>
  readonly sessionErrors: Counter<'protocol' | 'code'>
  readonly peerAborts: Counter<'protocol' | 'code'>
  readonly sessionDuration: Histogram<'protocol'>
  readonly activeSessions: Gauge<'protocol'>
  readonly syncItemsServed: Counter<'kind'>
  readonly stateSize: Gauge<'kind'>
  readonly connections: Gauge
  readonly replicaRounds: Counter<'outcome'>
  private stateProvider: (() => Record<string, number>) | undefined
  private connectionCount: (() => number) | undefined
  private readinessChecks: (() => Record<string, boolean>) | undefined

  constructor(role: string) {
    this.registry.setDefaultLabels({ role })
    // Unprefixed, under prom-client's standard names (process_cpu_seconds_total,
    // nodejs_heap_size_used_bytes, ...), so stock Node.js dashboards read them as they are.
    collectDefaultMetrics({ register: this.registry })
    const registers = [this.registry]
    new Gauge({
      name: `${PREFIX}build_info`,
      help: 'Always 1; the labels say which build runs: the maci-anon version and the Node.js version.',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version: VERSION, node_version: process.versions.node }, 1)
    this.sessions = new Counter({
      name: `${PREFIX}sessions_total`,
      help: 'Protocol sessions served, by protocol and outcome (ok, error, or peer_abort when the peer ended it).',
      labelNames: ['protocol', 'outcome'],
      registers,
    })
    this.sessionErrors = new Counter({
      name: `${PREFIX}session_errors_total`,
      help: "Sessions that ended with an error of this node's own, by protocol and error code (a peer's abort is not one).",
      labelNames: ['protocol', 'code'],
      registers,
    })
    this.peerAborts = new Counter({
      name: `${PREFIX}session_peer_aborts_total`,
      help: 'Sessions the peer ended with an abort frame, by protocol and the code the peer gave (its claim, unchecked).',
      labelNames: ['protocol', 'code'],
      registers,
    })
    this.sessionDuration = new Histogram({
      name: `${PREFIX}session_duration_seconds`,
      help: 'Duration of served sessions, by protocol.',
      labelNames: ['protocol'],
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 30, 120, 600],
      registers,
    })
    this.activeSessions = new Gauge({
      name: `${PREFIX}active_sessions`,
      help: 'Sessions in progress, by protocol.',
      labelNames: ['protocol'],
      registers,
    })
    this.syncItemsServed = new Counter({
      name: `${PREFIX}sync_items_served_total`,
      help: 'Items served by the sync protocol, by kind (parameters, head, leaves, log, roots).',
      labelNames: ['kind'],
      registers,
    })
    this.stateSize = new Gauge({
      name: `${PREFIX}state_size`,
      help: 'Size of the node state, by kind (signups, deactivations, leaves, votes, reactivation_attempts).',
      labelNames: ['kind'],
      registers,
      // Read at scrape time, so the gauge never lags the state.
      collect: () => {
        for (const [kind, value] of Object.entries(this.stateProvider?.() ?? {})) this.stateSize.set({ kind }, value)
      },
    })
    this.connections = new Gauge({
      name: `${PREFIX}connections`,
      help: 'Open libp2p connections.',
      registers,
      collect: () => {
        if (this.connectionCount !== undefined) this.connections.set(this.connectionCount())
      },
    })
    this.replicaRounds = new Counter({
      name: `${PREFIX}replica_sync_rounds_total`,
      help: 'Replica follow rounds against the operator, by outcome (ok, unreachable, inconsistent).',
      labelNames: ['outcome'],
      registers,
    })
  }

  /** Where the state_size and connections gauges read their values at each scrape. */
  observeState(stateSizes: () => Record<string, number>, connections: () => number): void {
    this.stateProvider = stateSizes
    this.connectionCount = connections
  }

  /**
   * The named checks /readyz runs at each request. Until they are set the daemon is still
   * starting, and /readyz says it is not ready.
   */
  observeReadiness(checks: () => Record<string, boolean>): void {
    this.readinessChecks = checks
  }

  /** What /readyz answers: ready when checks are set and every one of them passes. */
  readiness(): { ready: boolean; checks: Record<string, boolean> } {
    if (this.readinessChecks === undefined) return { ready: false, checks: {} }
    const checks = this.readinessChecks()
    return { ready: Object.values(checks).every(Boolean), checks }
  }

  sessionStarted(protocol: ProtocolName): void {
    this.activeSessions.inc({ protocol })
  }

  /**
   * `error.remote` marks a code the peer sent in its abort frame: counted as the peer's, in
   * session_peer_aborts_total, never among this node's own errors, so that no peer can
   * write INTERNAL (or any code) into the daemon's error counts.
   */
  sessionEnded(protocol: ProtocolName, durationMs: number, error: { code: string; remote: boolean } | undefined): void {
    this.activeSessions.dec({ protocol })
    this.sessionDuration.observe({ protocol }, durationMs / 1000)
    this.sessions.inc({ protocol, outcome: error === undefined ? 'ok' : error.remote ? 'peer_abort' : 'error' })
    if (error === undefined) return
    if (error.remote) this.peerAborts.inc({ protocol, code: error.code })
    else this.sessionErrors.inc({ protocol, code: error.code })
  }

  /** Serve /metrics, /healthz and /readyz on host:port (port 0 picks a free port). */
  async serve(port: number, host: string): Promise<MetricsEndpoint> {
    const server = createServer((request, response) => {
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`)
      const path = request.method === 'GET' ? request.url : undefined
      if (path === '/healthz') {
        json(200, { status: 'ok' })
      } else if (path === '/readyz') {
        const readiness = this.readiness()
        json(readiness.ready ? 200 : 503, readiness)
      } else if (path === '/metrics') {
        this.registry
          .metrics()
          .then((body) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(body))
          .catch(() => response.writeHead(500).end())
      } else {
        response.writeHead(404).end()
      }
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    return new MetricsEndpoint(server)
  }
}

export class MetricsEndpoint {
  constructor(private readonly server: Server) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}
