/**
 * What /metrics carries: the daemon's series, prom-client's process and Node.js metrics
 * under their standard names, a build_info series, and libp2p's own metrics once a
 * registry is given to the node. None of it names a peer: no peer ID and no address of the
 * voters that connected (the metrics endpoint is for the operator's monitoring, and a
 * scrape must not become a connection log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VERSION } from '../../src/daemon/version.js'
import { Metrics } from '../../src/daemon/metrics.js'
import { createNode, ephemeralPeerKey, type Node } from '../../src/daemon/node.js'
import { localNode } from './helpers.js'

describe('metrics', () => {
  let metrics: Metrics
  let server: Node
  let client: Node

  beforeAll(async () => {
    metrics = new Metrics('operator')
    server = await createNode({ privateKey: await ephemeralPeerKey(), listen: ['/ip4/127.0.0.1/tcp/0'], metricsRegistry: metrics.registry })
    client = await localNode(false)
    await client.services.ping.ping(server.getMultiaddrs()[0])
  })
  afterAll(async () => {
    await client.stop()
    await server.stop()
  })

  it('has the process and Node.js metrics under their standard names, not under the maci_anon_ prefix', async () => {
    const text = await metrics.registry.metrics()
    expect(text).toMatch(/^process_cpu_seconds_total\{role="operator"\} /m)
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{role="operator"\} /m)
    expect(text).not.toMatch(/^maci_anon_process_/m)
    expect(text).not.toMatch(/^maci_anon_nodejs_/m)
  })

  it('says which build runs', async () => {
    const text = await metrics.registry.metrics()
    expect(text).toContain(`maci_anon_build_info{version="${VERSION}",node_version="${process.versions.node}",role="operator"} 1`)
  })

  it("carries libp2p's own metrics, and no peer ID or address of the peer that connected", async () => {
    const text = await metrics.registry.metrics()
    const libp2pSeries = text.split('\n').filter((line) => line.startsWith('libp2p_'))
    expect(libp2pSeries.length).toBeGreaterThan(0)
    expect(text).toMatch(/^libp2p_connection_manager_connections\{/m)
    for (const connection of server.getConnections()) {
      expect(text).not.toContain(connection.remotePeer.toString())
      expect(text).not.toContain(connection.remoteAddr.toString())
      // The peer's ephemeral TCP port, in any form.
      const port = connection.remoteAddr.toString().split('/tcp/')[1]
      expect(text).not.toMatch(new RegExp(`["=:/]${port}["/,}]`))
    }
    expect(text).not.toContain(client.peerId.toString())
  })
})
