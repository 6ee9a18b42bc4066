/**
 * Issue 13, scope 4: `voter status` reads as text for a person (no JSON inside it), marks
 * the key that votes when no --key is given, and says plainly when the operator is
 * unreachable; --json gives the same facts as fields.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../../scripts/lib/local-cluster.js'

describe('voter status', () => {
  let root: string
  let env: Record<string, string>
  const cluster = new LocalCluster()

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'maci-anon-voter-status-'))
    // Nothing listens on port 1: the operator is unreachable at once.
    env = { MACI_ANON_DATA_DIR: join(root, 'voter'), MACI_ANON_PASSPHRASE: 'test-only-passphrase', MACI_ANON_OPERATOR: '/ip4/127.0.0.1/tcp/1' }
    await cluster.runOk(['voter', 'keygen'], env)
  })

  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('marks the current key and names an unreachable operator in one line', async () => {
    const text = await cluster.runOk(['voter', 'status'], env)
    expect(text).toMatch(/^\* key 0 \(keygen, not signed up\): \S+ {2}<- current$/m)
    expect(text).toMatch(/^operator: unreachable \(.+\)$/m)
    expect(text).not.toMatch(/[{}]/)
  })

  it('gives the same under --json', async () => {
    const status = JSON.parse(await cluster.runOk(['--json', 'voter', 'status'], env)) as {
      keys: Array<{ index: number; current: boolean }>
      operator: { unreachable?: string }
    }
    expect(status.keys).toEqual([expect.objectContaining({ index: 0, current: true })])
    expect(status.operator.unreachable).toEqual(expect.any(String))
  })
})
