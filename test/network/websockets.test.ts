/**
 * The WebSockets listener beside TCP: a daemon listening on both serves the same protocols
 * on each, with the same Noise and yamux upgrade, so a browser light node can reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { requestStatus } from '../../src/protocol/status.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { createNode, ephemeralPeerKey, isWebSocketsAddress, type Node } from '../../src/daemon/node.js'
import { startOperator, type RunningOperator } from './fixtures.js'

describe('WebSockets listener', () => {
  let operator: RunningOperator
  let client: Node

  beforeAll(async () => {
    operator = await startOperator('/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/0/ws')
    const ws = operator.service.host.addresses.find((address) => address.toString().includes('/ws/'))
    client = await createNode({ privateKey: await ephemeralPeerKey(), listen: [], dials: [String(ws)] })
  })
  afterAll(async () => {
    await client.stop()
    await operator.stop()
  })

  it('a dialling-only node speaks WebSockets only when it will dial a /ws address: a voter on TCP addresses runs TCP alone', async () => {
    expect(isWebSocketsAddress('/ip4/127.0.0.1/tcp/4011/ws')).toBe(true)
    expect(isWebSocketsAddress('/dns4/operator/tcp/443/wss/p2p/12D3KooW')).toBe(true)
    expect(isWebSocketsAddress('/ip4/127.0.0.1/tcp/4001')).toBe(false)
    const ws = operator.service.host.addresses.find((address) => address.toString().includes('/ws/'))
    if (ws === undefined) throw new Error('no WebSockets address')
    const tcpOnly = await createNode({ privateKey: await ephemeralPeerKey(), listen: [], dials: ['/ip4/127.0.0.1/tcp/4001'] })
    try {
      await expect(requestStatus(tcpOnly, ws, { dialTimeoutMs: 2_000 })).rejects.toThrow()
    } finally {
      await tcpOnly.stop()
    }
  })

  it('listens on TCP and on WebSockets', () => {
    const addresses = operator.service.host.addresses.map(String)
    expect(addresses.some((address) => /\/tcp\/\d+\/p2p\//.test(address))).toBe(true)
    expect(addresses.some((address) => /\/tcp\/\d+\/ws\/p2p\//.test(address))).toBe(true)
  })

  it('serves signup and status over WebSockets, on a connection that is a WebSocket', async () => {
    const ws = operator.service.host.addresses.find((address) => address.toString().includes('/ws/'))
    if (ws === undefined) throw new Error('no WebSockets address')
    const key = generateKeypair().publicKey
    expect(await requestSignup(client, ws, key)).toEqual({ stateIndex: 0 })
    const status = await requestStatus(client, ws)
    expect(status).toMatchObject({ role: 'operator', signups: 1 })
    const connections = client.getConnections(operator.service.host.node.peerId)
    expect(connections.length).toBeGreaterThan(0)
    expect(connections.every((connection) => connection.remoteAddr.toString().includes('/ws'))).toBe(true)
  })
})
