/**
 * Issue 13, scope 2: `operator tally` and `operator export-proofs` (the real CLI) against a
 * running operator daemon while a voter keeps voting. The daemon answers over its admin
 * socket; the tally it gives must be exactly the tally of the votes it had accepted when it
 * ran, which the test recomputes from its own record of every vote.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster } from '../../scripts/lib/local-cluster.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import type { PublicParameters } from '../../src/core/parameters.js'
import { AnonymousClient } from '../../src/daemon/voter-client.js'
import { makeVote } from '../../src/core/voter.js'
import { temporaryDirectory, until } from '../network/helpers.js'

const VOTE_OPTIONS = 3
const KEYS = 4

interface CastVote {
  index: number
  key: number
  option: number
}

describe('tally and export-proofs while the operator daemon runs and votes arrive', () => {
  let root: Awaited<ReturnType<typeof temporaryDirectory>>
  let env: Record<string, string>
  const cluster = new LocalCluster()
  let client: AnonymousClient
  let params: PublicParameters
  const keys: Keypair[] = Array.from({ length: KEYS }, () => generateKeypair())
  const cast: CastVote[] = []
  let voting = true
  let voter: Promise<void>

  beforeAll(async () => {
    root = await temporaryDirectory()
    const port = await freePort()
    env = { MACI_ANON_DATA_DIR: join(root.path, 'operator'), MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${port}`, MACI_ANON_VOTE_OPTIONS: String(VOTE_OPTIONS) }
    const operator = await cluster.startDaemon('operator', ['operator', 'start', '--init'], env)
    client = await AnonymousClient.start({ operator: multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${operator.peerId}`), replicas: [], dialTimeoutMs: 15_000 })
    params = await client.parameters()
    for (const keypair of keys) await client.signup(keypair.publicKey)
    // One vote after another, until the test says stop. Each key votes again and again, with
    // the option shifting, so only its latest vote counts and the others are ignored.
    voter = (async () => {
      for (let n = 0; voting; n++) {
        const key = n % KEYS
        const option = (n + Math.floor(n / KEYS)) % VOTE_OPTIONS
        const { index } = await client.vote(makeVote(keys[key], params, option))
        cast.push({ index, key, option })
      }
    })()
  })

  afterAll(async () => {
    voting = false
    await voter.catch(() => undefined)
    await client.stop()
    await cluster.stopAll()
    await root.remove()
  })

  /** The tally of the first `size` votes by index: each key's latest vote counts. */
  function expectedTally(size: number) {
    const latest = new Map<number, number>()
    for (const vote of [...cast].sort((a, b) => a.index - b.index).filter((vote) => vote.index < size)) latest.set(vote.key, vote.option)
    const counts: Record<string, number> = Object.fromEntries(Array.from({ length: VOTE_OPTIONS }, (_, option) => [String(option), 0]))
    for (const option of latest.values()) counts[String(option)]++
    const countedVotes = Object.values(counts).reduce((sum, count) => sum + count, 0)
    return { counts, countedVotes, ignoredVotes: size - countedVotes }
  }

  it('tallies and exports from the daemon, consistently with the votes it had', async () => {
    // Some votes in before the first tally, so that it has something to count.
    await Promise.race([until(() => cast.length >= KEYS * 2, 60_000), voter])
    const before = cast.length
    const tally = JSON.parse(await cluster.runOk(['--json', 'operator', 'tally'], env)) as Record<string, unknown> & { countedVotes: number; ignoredVotes: number }
    const exportDir = join(root.path, 'export')
    const exported = JSON.parse(await cluster.runOk(['--json', 'operator', 'export-proofs', exportDir], env)) as Record<string, unknown>
    const during = cast.length - before
    voting = false
    await voter

    // The voter kept voting while the commands ran: the daemon served both at once.
    expect(during).toBeGreaterThan(0)
    expect(tally.source).toBe('daemon')
    const size = tally.countedVotes + tally.ignoredVotes
    expect(size).toBeGreaterThanOrEqual(before)
    expect(size).toBeLessThanOrEqual(cast.length)
    // toEqual passes over the undefined source: the rest must be exactly the recomputed tally.
    expect({ ...tally, source: undefined }).toEqual(expectedTally(size))

    expect(exported).toEqual({ exported: 0, directory: exportDir, source: 'daemon' })
    expect(existsSync(join(exportDir, 'parameters.json'))).toBe(true)
    expect(existsSync(join(exportDir, 'roots.json'))).toBe(true)
  })

  it('prints the tally for a person, without the offline note', async () => {
    const text = await cluster.runOk(['operator', 'tally'], env)
    const { counts, countedVotes, ignoredVotes } = expectedTally(cast.length)
    expect(text).toContain(`option 0:`)
    expect(text).toMatch(new RegExp(`^option ${VOTE_OPTIONS - 1}: +${counts[String(VOTE_OPTIONS - 1)]}$`, 'm'))
    expect(text).toMatch(new RegExp(`^counted votes: +${countedVotes}$`, 'm'))
    expect(text).toMatch(new RegExp(`^ignored votes: +${ignoredVotes}$`, 'm'))
    expect(text).not.toContain('offline')
  })
})
