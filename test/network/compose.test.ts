/**
 * docker-compose.yml and the Dockerfile describe the same network as scripts/testnet.ts:
 * both come from scripts/lib/testnet-topology.ts, and this test keeps the hand-written compose file
 * from drifting (services, commands, environment, ports, dependencies, volumes).
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { composePlacement, DEFAULT_TOPOLOGY_PORTS, localPlacement, serviceEnv, services } from '../../scripts/lib/testnet-topology.js'

interface ComposeService {
  build?: string
  image?: string
  entrypoint?: string[]
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test?: string[]; disable?: boolean }
}

const compose = parse(await readFile(`${REPO_ROOT}docker-compose.yml`, 'utf8'), { maxAliasCount: 100 }) as {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
}
const topology = services(3)

describe('docker-compose.yml matches the testnet topology', () => {
  it('declares the same services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(topology.map((service) => service.name).sort())
  })

  it.each(topology.map((service) => [service.name, service] as const))('%s: command, environment, ports, dependencies, volume', (name, service) => {
    const declared = compose.services[name]
    if (service.steps.length === 1) {
      expect(declared.entrypoint).toBeUndefined()
      expect(declared.command).toEqual(service.steps[0])
    } else {
      expect(declared.entrypoint).toEqual(['sh', '-ec'])
      expect(declared.command).toEqual([service.steps.map((step) => ['maci-anon', ...step].join(' ')).join(' && ')])
    }
    expect(declared.environment).toEqual(serviceEnv(service, composePlacement))
    const published = [service.ports.p2p, service.ports.ws, service.ports.metrics].filter((port) => port !== undefined).map((port) => `127.0.0.1:${port}:${port}`)
    expect(declared.ports ?? []).toEqual(published)
    expect(Object.keys(declared.depends_on ?? {}).sort()).toEqual([...service.dependsOn].sort())
    expect(declared.volumes).toEqual([`${name}-data:/data`])
    expect(compose.volumes).toHaveProperty(`${name}-data`)
  })

  it('runs the same commands and ports as the local testnet; only placement differs', () => {
    const local = localPlacement('/tmp/testnet')
    for (const service of topology) {
      const here = serviceEnv(service, local)
      const there = serviceEnv(service, composePlacement)
      expect(Object.keys(here).sort()).toEqual(Object.keys(there).sort())
      if (service.ports.p2p !== undefined) expect(here.MACI_ANON_LISTEN).toBe(`/ip4/127.0.0.1/tcp/${service.ports.p2p},/ip4/127.0.0.1/tcp/${service.ports.ws}/ws`)
    }
    expect(DEFAULT_TOPOLOGY_PORTS.operator.p2p).toBe(4001)
  })

  it('checks the daemons\' /readyz, the Dockerfile and compose alike, and no voter', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}Dockerfile`, 'utf8')
    const check = ['node', '/app/bin/maci-anon-health.js']
    const healthcheck = /^HEALTHCHECK .*CMD (\[.*\])$/m.exec(dockerfile)?.[1]
    expect(JSON.parse(healthcheck ?? 'null')).toEqual(check)
    // The script the image runs is the one test/network/health.test.ts checks against real daemons.
    expect(existsSync(`${REPO_ROOT}bin/maci-anon-health.js`)).toBe(true)
    for (const service of topology) {
      const declared = compose.services[service.name]
      if (service.daemon) {
        expect(declared.healthcheck?.test).toEqual(['CMD', ...check])
        // The check reads the daemon's metrics port from its environment.
        expect(declared.environment).toHaveProperty('MACI_ANON_METRICS_PORT')
      } else {
        expect(declared.healthcheck).toEqual({ disable: true })
      }
      // Every dependency is on a daemon, and waits until it is ready, not just started.
      for (const dependency of Object.values(declared.depends_on ?? {})) expect(dependency).toEqual({ condition: 'service_healthy' })
    }
  })

  it('builds one image, in one service, that exposes every port and runs the CLI', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}Dockerfile`, 'utf8')
    expect(dockerfile).toMatch(/^ENTRYPOINT \["maci-anon"\]$/m)
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1].split(/\s+/).map(Number) ?? []
    for (const port of topology.flatMap((service) => [service.ports.p2p, service.ports.ws, service.ports.metrics])) {
      if (port !== undefined) expect(exposed).toContain(port)
    }
    for (const name of Object.keys(compose.services)) expect(compose.services[name].image).toBe('maci-anon:local')
    const builders = Object.keys(compose.services).filter((name) => compose.services[name].build !== undefined)
    expect(builders).toEqual(['operator'])
    expect(compose.services.operator.build).toBe('.')
    // The service that builds is the one every other waits for, so its image exists first.
    for (const service of topology) if (service.name !== 'operator') expect(service.dependsOn).toContain('operator')
  })

  it('a multi-stage Dockerfile: a pinned Node, production dependencies, dist/ and the artifacts only, non-root', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}Dockerfile`, 'utf8')
    const manifest = JSON.parse(await readFile(`${REPO_ROOT}package.json`, 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    // The same Node as the `node` package that runs the tests, and only as a dev dependency.
    expect(manifest.dependencies).not.toHaveProperty('node')
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${manifest.devDependencies.node}-bookworm-slim`)
    expect(manifest.devDependencies.node).toMatch(/^22\.\d+\.\d+$/)
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1)
    expect(stages.map((stage) => /^FROM (\S+)/.exec(stage)?.[1])).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}', '${NODE_IMAGE}'])
    const [build, deps, runtime] = stages
    expect(build).toMatch(/^RUN npm ci --ignore-scripts$/m)
    expect(build).toMatch(/^RUN npm run build$/m)
    expect(deps).toMatch(/^RUN npm ci --omit=dev --ignore-scripts /m)
    const copied = [...runtime.matchAll(/^COPY (.+)$/gm)].map((match) => match[1])
    expect(copied).toEqual([
      '--from=deps /app/node_modules node_modules',
      '--from=build /app/dist dist',
      'package.json ./',
      'bin bin',
      'circuits/build circuits/build',
    ])
    expect(runtime).not.toMatch(/tsx|npm ci|npm install/)
    expect(runtime).toMatch(/^USER node$/m)
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('ENTRYPOINT'))
  })

  it('runs the voters\' steps idempotently, so a second `up` keeps their keystores', () => {
    for (const service of topology.filter((spec) => spec.role === 'voter')) {
      for (const step of service.steps) expect(step).toContain('--if-missing')
    }
  })
})
