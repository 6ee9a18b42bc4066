#!/usr/bin/env node
// The container health check (Dockerfile HEALTHCHECK, docker-compose.yml): exits 0 if the
// daemon's /readyz answers 200, and 1 with one line on stderr otherwise. A plain script, not
// a CLI command: the image has no curl, and a check every few seconds should not pay for
// the CLI's start-up. It reads the daemon's own settings, MACI_ANON_METRICS_PORT and
// MACI_ANON_METRICS_HOST; a bind-all host (0.0.0.0, ::) is asked on the loopback.
// An optional argument picks another path, such as /healthz.
import process from 'node:process'

// Node's web globals, which the lint config (TypeScript-oriented) does not declare for plain JS.
/* global fetch, AbortSignal */

const TIMEOUT_MS = 5_000

function fail(message) {
  process.stderr.write(`health check failed: ${message}\n`)
  process.exit(1)
}

const port = process.env.MACI_ANON_METRICS_PORT
if (port === undefined || port === '') fail('MACI_ANON_METRICS_PORT is not set (the health endpoints are on the metrics server)')
const configured = process.env.MACI_ANON_METRICS_HOST ?? '127.0.0.1'
const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${process.argv[2] ?? '/readyz'}`

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  if (!response.ok) fail(`${url} answered ${response.status} ${(await response.text()).trim()}`)
} catch (error) {
  fail(`${url} is unreachable (${error.cause?.code ?? error.message})`)
}
