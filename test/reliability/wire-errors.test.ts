/**
 * Issue 12, items 5 and 6, against the real operator daemon (Operator core, LevelDB, TCP,
 * Noise, yamux) in this process, with its log captured:
 * - a client's abort frame carrying {code: INTERNAL} is the peer's report: logged as the
 *   peer's code at info level, counted in session_peer_aborts_total, never as the daemon's
 *   own error (it used to be an error-level "session failed" with code INTERNAL, counted in
 *   session_errors_total{code="INTERNAL"});
 * - a length prefix with no body, then a close, gets a MALFORMED abort on every protocol
 *   (it used to get a silent close), and so do the other empty frames.
 */
import { Writable } from 'node:stream'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/daemon/config.js'
import { Operator } from '../../src/daemon/operator.js'
import { OperatorService } from '../../src/daemon/operator-service.js'
import type { Node } from '../../src/daemon/node.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { openChannel } from '../../src/protocol/client.js'
import { RemoteAbortError } from '../../src/protocol/errors.js'
import { PROTOCOLS, type ProtocolName } from '../../src/protocol/ids.js'
import { StreamChannel } from '../../src/protocol/stream-channel.js'
import { localNode, temporaryDirectory } from '../network/helpers.js'

type Line = Record<string, unknown>

let service: OperatorService
let client: Node
let removeTemp: () => Promise<void>
const lines: Line[] = []

beforeAll(async () => {
  const temp = await temporaryDirectory()
  removeTemp = temp.remove
  const config = resolveConfig('operator', {
    flags: { dataDir: join(temp.path, 'operator'), listen: '/ip4/127.0.0.1/tcp/0', logLevel: 'debug', shutdownGraceMs: 1000 },
  })
  await Operator.initialize(dataPaths(config.dataDir).operatorState)
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as Line)
      done()
    },
  })
  service = await OperatorService.start(config, pino({ level: 'debug' }, sink))
  client = await localNode(false)
})

afterAll(async () => {
  await client?.stop()
  await service?.stop(1000)
  await removeTemp?.()
})

const target = () => service.host.addresses[0]

/** The log lines of sessions that ended after `from`, once `count` of them have. */
async function endedSessions(from: number, count: number): Promise<Line[]> {
  for (let i = 0; i < 200; i++) {
    const ended = lines.slice(from).filter((line) => line.msg === 'session failed' || line.msg === 'session ended')
    if (ended.length >= count) return ended
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`fewer than ${count} sessions ended`)
}

async function metricsText(): Promise<string> {
  return service.host.metrics.registry.metrics()
}

/** Raw bytes on a fresh stream, then our side closed; what the operator answers. */
async function sendRaw(name: ProtocolName, bytes: Uint8Array): Promise<unknown> {
  const stream = await client.dialProtocol(target(), PROTOCOLS[name])
  const channel = new StreamChannel(stream, { timeoutMs: 5_000, maxBytes: 1 << 20 })
  stream.send(bytes)
  await stream.close()
  return channel.receive().then(
    () => 'a message',
    (error: unknown) => error,
  )
}

describe('a peer cannot write the operator error log', () => {
  it("logs and counts a client's INTERNAL abort as the peer's, not as the daemon's error", async () => {
    const from = lines.length
    const channel = await openChannel(client, target(), 'status')
    await channel.abort('INTERNAL', 'spoofed: the operator failed')
    const [line] = await endedSessions(from, 1)
    expect(line).toMatchObject({ msg: 'session failed', protocol: 'status', remote: true, peerCode: 'INTERNAL', code: 'ABORTED', level: 30 })
    // Nothing at warn level or above, and nothing that names INTERNAL as the daemon's code.
    const after = lines.slice(from)
    expect(after.filter((entry) => Number(entry.level) >= 40)).toEqual([])
    expect(after.some((entry) => entry.code === 'INTERNAL')).toBe(false)
    const text = await metricsText()
    expect(text).not.toMatch(/maci_anon_session_errors_total\{[^}]*code="INTERNAL"/)
    expect(text).toMatch(/maci_anon_session_peer_aborts_total\{protocol="status",code="INTERNAL",role="operator"\} 1/)
    expect(text).toMatch(/maci_anon_sessions_total\{protocol="status",outcome="peer_abort",role="operator"\} 1/)
  })

  it('still logs and counts its own errors as its own', async () => {
    const from = lines.length
    expect(await sendRaw('status', Uint8Array.of(0x02, 0x07, 0x00))).toMatchObject({ remoteCode: 'MALFORMED' })
    const [line] = await endedSessions(from, 1)
    expect(line).toMatchObject({ msg: 'session failed', protocol: 'status', code: 'MALFORMED', remote: false, level: 40 })
    expect(await metricsText()).toMatch(/maci_anon_session_errors_total\{protocol="status",code="MALFORMED",role="operator"\} 1/)
  })
})

describe('empty frames get MALFORMED on every protocol', () => {
  const protocols = Object.keys(PROTOCOLS) as ProtocolName[]
  const cases: Array<[string, Uint8Array]> = [
    ['a length prefix and no body, then a close', Uint8Array.of(0x21)],
    ['a two-byte length prefix and no body', Uint8Array.of(0x80, 0x01)],
    ['a zero length', Uint8Array.of(0x00)],
  ]
  for (const name of protocols) {
    for (const [what, bytes] of cases) {
      it(`${name}: ${what}`, async () => {
        const answer = await sendRaw(name, bytes)
        expect(answer).toBeInstanceOf(RemoteAbortError)
        expect((answer as RemoteAbortError).remoteCode).toBe('MALFORMED')
      })
    }
  }
})
