/**
 * The WebSockets listener beside TCP: a daemon listening on both serves the same protocols
 * on each, with the same Noise and yamux upgrade, so a browser light node can reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { requestStatus } from '../../src/protocol/status.js'
import { requestSignup } from '../../src/protocol/signup.js'
import type { Node } from '../../src/daemon/node.js'
import { startOperator, type RunningOperator } from './fixtures.js'
import { localNode } from './helpers.js'

describe('WebSockets listener', () => {
  let operator: RunningOperator
  let client: Node

  beforeAll(async () => {
    operator = await startOperator('/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/0/ws')
    client = await localNode(false)
  })
  afterAll(async () => {
    await client.stop()
    await operator.stop()
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
