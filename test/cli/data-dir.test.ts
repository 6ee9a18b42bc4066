/**
 * Data directories as the CLI uses them: the XDG default (the same wherever a command
 * runs), read-only commands that create nothing in a missing directory and say so in one
 * line, and a directory held by a running daemon refused in one line, not a LevelDB trace.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, LocalCluster, REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { temporaryDirectory } from '../network/helpers.js'

const PASSPHRASE = { MACI_ANON_PASSPHRASE: 'data-dir-test' }

describe('the default data directory', () => {
  let home: Awaited<ReturnType<typeof temporaryDirectory>>
  const cluster = new LocalCluster()

  beforeAll(async () => {
    home = await temporaryDirectory()
  })
  afterAll(() => home.remove())

  const keystoreOf = async (env: Record<string, string>) =>
    (JSON.parse(await cluster.runOk(['--json', 'voter', 'keygen'], { ...PASSPHRASE, ...env })) as { keystore: string }).keystore

  it('is $XDG_DATA_HOME/maci-anon/<role>, not a directory under the working directory', async () => {
    const xdg = join(home.path, 'xdg')
    expect(await keystoreOf({ XDG_DATA_HOME: xdg })).toBe(join(xdg, 'maci-anon', 'voter', 'voter.keystore'))
    expect(existsSync(join(REPO_ROOT, '.maci-anon', 'voter', 'voter.keystore'))).toBe(false)
  })

  it('is ~/.local/share/maci-anon/<role> when XDG_DATA_HOME is unset or relative', async () => {
    const user = join(home.path, 'user')
    expect(await keystoreOf({ HOME: user, XDG_DATA_HOME: '' })).toBe(join(user, '.local', 'share', 'maci-anon', 'voter', 'voter.keystore'))
    const other = join(home.path, 'other')
    expect(await keystoreOf({ HOME: other, XDG_DATA_HOME: 'relative/dir' })).toBe(join(other, '.local', 'share', 'maci-anon', 'voter', 'voter.keystore'))
  })

  it('gives way to MACI_ANON_DATA_DIR and --data-dir', async () => {
    const xdg = join(home.path, 'unused')
    expect(await keystoreOf({ XDG_DATA_HOME: xdg, MACI_ANON_DATA_DIR: join(home.path, 'env') })).toBe(join(home.path, 'env', 'voter.keystore'))
    const flagged = JSON.parse(
      await cluster.runOk(['--json', 'voter', 'keygen', '--data-dir', join(home.path, 'flag')], { ...PASSPHRASE, XDG_DATA_HOME: xdg }),
    ) as { keystore: string }
    expect(flagged.keystore).toBe(join(home.path, 'flag', 'voter.keystore'))
    expect(existsSync(xdg)).toBe(false)
  })
})

describe('a missing data directory', () => {
  let root: Awaited<ReturnType<typeof temporaryDirectory>>
  let missing: string
  let unusedPort: number
  const cluster = new LocalCluster()

  beforeAll(async () => {
    root = await temporaryDirectory()
    missing = join(root.path, 'mistyped')
    unusedPort = await freePort()
  })
  afterAll(() => root.remove())

  it.each([
    ['operator status', ['operator', 'status', '--dial-timeout-ms', '500']],
    ['operator tally', ['operator', 'tally']],
    ['operator export-proofs', ['operator', 'export-proofs', 'unused-export']],
  ])('%s says so in one line and creates nothing', async (_name, args) => {
    const result = await cluster.run(args, { MACI_ANON_DATA_DIR: missing, MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${unusedPort}` })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`error: no operator state in ${missing}: check --data-dir or MACI_ANON_DATA_DIR\n`)
    expect(existsSync(missing)).toBe(false)
  })

  it('operator start without --init says to initialise, and creates nothing', async () => {
    const result = await cluster.run(['operator', 'start'], { MACI_ANON_DATA_DIR: missing, MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${unusedPort}` })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`error: no operator state in ${missing}: run "maci-anon operator start --init", or "operator init" first\n`)
    expect(existsSync(missing)).toBe(false)
  })

  it('voter status says so in one line and creates nothing', async () => {
    const result = await cluster.run(['voter', 'status'], { ...PASSPHRASE, MACI_ANON_DATA_DIR: missing })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`error: no keystore at ${join(missing, 'voter.keystore')} (run "voter keygen")\n`)
    expect(existsSync(missing)).toBe(false)
  })
})

describe("a running daemon's directory", () => {
  let root: Awaited<ReturnType<typeof temporaryDirectory>>
  let env: Record<string, string>
  const cluster = new LocalCluster()

  beforeAll(async () => {
    root = await temporaryDirectory()
    env = { MACI_ANON_DATA_DIR: root.path, MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${await freePort()}` }
    await cluster.startDaemon('operator', ['operator', 'start', '--init'], env)
  })
  afterAll(async () => {
    await cluster.stopAll()
    await root.remove()
  })

  const inUse = () => `error: the data directory ${root.path} is in use: an operator daemon is running on it; stop it first\n`

  it('operator init says the directory is in use, in one line', async () => {
    const result = await cluster.run(['operator', 'init'], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(inUse())
  })

  it('a second operator start on it says the same, and tally asks the running daemon instead', async () => {
    const second = await cluster.run(['operator', 'start'], { ...env, MACI_ANON_LISTEN: `/ip4/127.0.0.1/tcp/${await freePort()}` })
    expect(second.code).toBe(1)
    expect(second.stderr).toBe(inUse())
    const tally = await cluster.run(['--json', 'operator', 'tally'], env)
    expect(tally.code).toBe(0)
    expect(JSON.parse(tally.stdout)).toMatchObject({ countedVotes: 0, source: 'daemon' })
  })
})
