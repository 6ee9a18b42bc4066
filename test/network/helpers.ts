/**
 * Real libp2p nodes on 127.0.0.1 (TCP, Noise, yamux) for the network tests, and a way to get
 * both ends of one stream.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Stream } from '@libp2p/interface'
import { pino } from 'pino'
import { createNode, ephemeralPeerKey, type Node } from '../../src/daemon/node.js'

export async function localNode(listen = true): Promise<Node> {
  return createNode({ privateKey: await ephemeralPeerKey(), listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] })
}

/** Both ends of one stream between two nodes, on a throwaway protocol. */
export async function streamPair(server: Node, client: Node, protocol = `/test/pair/${Math.random()}`): Promise<{ client: Stream; server: Stream }> {
  const inbound = new Promise<Stream>((resolve) => {
    void server.handle(protocol, (stream) => resolve(stream))
  })
  const outbound = await client.dialProtocol(server.getMultiaddrs()[0], protocol)
  return { client: outbound, server: await inbound }
}

export const silentLogger = () => pino({ level: 'silent' })

export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'maci-anon-net-'))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Polls `condition` every 50 ms; throws once `withinMs` have passed without it holding. */
export async function until(condition: () => boolean, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
