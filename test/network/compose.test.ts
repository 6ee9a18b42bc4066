/**
 * docker-compose.yml and the Dockerfile describe the same network as scripts/testnet.ts:
 * both come from src/daemon/topology.ts, and this test keeps the hand-written compose file
 * from drifting (services, commands, environment, ports, dependencies, volumes).
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { REPO_ROOT } from '../../src/cli/local-cluster.js'
import { composePlacement, DEFAULT_TOPOLOGY_PORTS, localPlacement, serviceEnv, services } from '../../src/daemon/topology.js'

interface ComposeService {
  entrypoint?: string[]
  command?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  depends_on?: Record<string, unknown>
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
    const published = [service.ports.p2p, service.ports.metrics].filter((port) => port !== undefined).map((port) => `127.0.0.1:${port}:${port}`)
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
      if (service.ports.p2p !== undefined) expect(here.MACI_ANON_LISTEN).toBe(`/ip4/127.0.0.1/tcp/${service.ports.p2p}`)
    }
    expect(DEFAULT_TOPOLOGY_PORTS.operator.p2p).toBe(4001)
  })

  it('builds one image that exposes every port and runs the CLI', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}Dockerfile`, 'utf8')
    expect(dockerfile).toMatch(/^ENTRYPOINT \["maci-anon"\]$/m)
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1].split(/\s+/).map(Number) ?? []
    for (const port of topology.flatMap((service) => [service.ports.p2p, service.ports.metrics])) {
      if (port !== undefined) expect(exposed).toContain(port)
    }
    for (const name of Object.keys(compose.services)) expect(compose.services[name]).toMatchObject({ build: '.', image: 'maci-anon:local' })
  })
})
