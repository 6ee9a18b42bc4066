/**
 * Issue 12, item 1: the connection settings reach libp2p. The per-address rate refuses the
 * connections beyond it, and an allow-listed address (local tools) skips it. Red-team
 * finding: idle connections from fresh peer IDs filled the whole connection table from one
 * address; the per-address cap refuses them, and idle ones are closed.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { allowListMultiaddr, ConfigError, resolveConfig } from '../../src/daemon/config.js'
import { createNode, ephemeralPeerKey, type Node } from '../../src/daemon/node.js'
import { ADMISSION } from '../../src/protocol/ids.js'

const nodes: Node[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()))
})

async function server(options: {
  inboundConnectionsPerSecond: number
  allowList?: string[]
  maxConnectionsPerAddress?: number
  idleConnectionMs?: number
}): Promise<Node> {
  const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: ['/ip4/127.0.0.1/tcp/0'], ...options })
  nodes.push(node)
  return node
}

/** How many of `count` fresh identities, dialling at once, get a connection. */
async function admitted(target: Node, count: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [] })
      nodes.push(node)
      return node
    }),
  )
  const address = target.getMultiaddrs()[0]
  const outcomes = await Promise.allSettled(clients.map((client) => client.dial(address, { signal: AbortSignal.timeout(10_000) })))
  return outcomes.filter((outcome) => outcome.status === 'fulfilled').length
}

describe('connection admission', () => {
  it('refuses connections beyond inboundConnectionsPerSecond from one address', async () => {
    expect(await admitted(await server({ inboundConnectionsPerSecond: 2 }), 8)).toBeLessThanOrEqual(3)
  })

  it('lets an allow-listed range through whatever the rate', async () => {
    expect(await admitted(await server({ inboundConnectionsPerSecond: 2, allowList: ['127.0.0.0/8'] }), 8)).toBe(8)
  })

  it('admits 20 voters at once with the defaults', async () => {
    const defaults = resolveConfig('operator', {})
    expect(defaults.inboundConnectionsPerSecond).toBeGreaterThanOrEqual(20)
    expect(await admitted(await server({ inboundConnectionsPerSecond: defaults.inboundConnectionsPerSecond }), 20)).toBe(20)
  })

  it('holds open connections from one address to maxConnectionsPerAddress, and frees a slot when one closes', async () => {
    ADMISSION.capLoopback = true
    try {
      const target = await server({ inboundConnectionsPerSecond: 100, maxConnectionsPerAddress: 3 })
      expect(await admitted(target, 5)).toBe(3)
      await target.getConnections()[0].close()
      expect(await admitted(target, 2)).toBe(1)
    } finally {
      ADMISSION.capLoopback = false
    }
  })

  it('closes an inbound connection that holds no stream', async () => {
    const target = await server({ inboundConnectionsPerSecond: 100, idleConnectionMs: 1_000 })
    expect(await admitted(target, 1)).toBe(1)
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 5_000
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      return done()
    }
    expect(await until(() => target.getConnections().length === 1)).toBe(true)
    expect(await until(() => target.getConnections().length === 0)).toBe(true)
  })

  it('reads allow-list entries as multiaddrs, CIDRs or addresses, and refuses anything else', () => {
    expect(allowListMultiaddr('10.0.0.0/8')).toBe('/ip4/10.0.0.0/ipcidr/8')
    expect(allowListMultiaddr('::1')).toBe('/ip6/::1/ipcidr/128')
    expect(allowListMultiaddr('/ip4/192.168.1.7')).toBe('/ip4/192.168.1.7/ipcidr/32')
    expect(allowListMultiaddr('/ip6/fd00::/ipcidr/8')).toBe('/ip6/fd00::/ipcidr/8')
    for (const bad of ['10.0.0.0/33', 'localhost', '/dns4/example.org', '/ip4/::1', '1.2.3.4/8/9']) {
      expect(() => allowListMultiaddr(bad)).toThrow(RangeError)
    }
    expect(resolveConfig('operator', { env: { MACI_ANON_ALLOW_LIST: '127.0.0.1, ::1/128' } }).allowList).toEqual(['127.0.0.1', '::1/128'])
    expect(() => resolveConfig('operator', { env: { MACI_ANON_ALLOW_LIST: '127.0.0.1,nonsense' } })).toThrow(ConfigError)
  })
})
