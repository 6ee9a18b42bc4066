/**
 * Issue 13, scope 4: a key made by MACI's tools works here and the other way round.
 * `voter import-key` takes MACI's macisk (a known answer made by MACI 3.0.0,
 * test/crypto/maci-vectors.ts), `voter export-key` gives back the same macisk and MACI's
 * macipk, and keygen and status show macipk. A keystore and an operator directory made with
 * maci-anon 0.1's key derivation are refused with one line that says what to do.
 */
import { spawnSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { writeKeystore } from '../../src/crypto/keystore.js'
import { decodePublicKey } from '../../src/crypto/maci-key-format.js'
import { Operator } from '../../src/daemon/operator.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { LevelStore } from '../../src/store/level-store.js'
import { maciVector } from '../crypto/maci-vectors.js'
import { temporaryDirectory } from '../network/helpers.js'

const PASSPHRASE = 'test-only-passphrase'

describe('voter import-key and export-key', () => {
  const cluster = new LocalCluster()
  let temp: Awaited<ReturnType<typeof temporaryDirectory>>
  const envFor = (name: string) => ({ MACI_ANON_DATA_DIR: join(temp.path, name), MACI_ANON_PASSPHRASE: PASSPHRASE, MACI_ANON_OPERATOR: '/ip4/127.0.0.1/tcp/1' })
  const json = async (args: string[], env: Record<string, string>) => JSON.parse(await cluster.runOk(['--json', ...args], env)) as Record<string, unknown>

  beforeAll(async () => {
    temp = await temporaryDirectory()
  })
  afterAll(async () => {
    await temp.remove()
  })

  it('operator init prints the operator key as macipk too, the same point as its x:y pair', async () => {
    const printed = await json(['operator', 'init'], envFor('operator-init'))
    const [x, y] = String(printed.operatorPublicKey).split(':').map(BigInt)
    expect(String(printed.operatorMacipk)).toMatch(/^macipk\.[0-9a-f]+$/)
    expect(decodePublicKey(String(printed.operatorMacipk))).toEqual([x, y])
  })

  it('imports a MACI key and exports the same macisk and macipk', async () => {
    const env = envFor('round-trip')
    const maci = maciVector('random 1')
    const imported = await json(['voter', 'import-key', maci.macisk], env)
    expect(imported).toMatchObject({ key: 0, macipk: maci.macipk, publicKey: `${maci.publicKey[0]}:${maci.publicKey[1]}` })

    const exported = await cluster.run(['--json', 'voter', 'export-key'], env)
    expect(exported.code).toBe(0)
    expect(JSON.parse(exported.stdout)).toEqual({ key: 0, macipk: maci.macipk, publicKey: `${maci.publicKey[0]}:${maci.publicKey[1]}` })
    expect(exported.stderr).not.toContain('macisk')

    const withPrivate = await cluster.run(['--json', 'voter', 'export-key', '--private'], env)
    expect(withPrivate.code).toBe(0)
    expect(JSON.parse(withPrivate.stdout)).toMatchObject({ key: 0, macipk: maci.macipk, macisk: maci.macisk })
    expect(withPrivate.stderr).toMatch(/^warning: .*private key/m)

    const text = await cluster.runOk(['voter', 'export-key', '--private'], env)
    expect(text).toMatch(new RegExp(`^macipk: +${maci.macipk}$`, 'm'))
    expect(text).toMatch(new RegExp(`^macisk: +${maci.macisk}$`, 'm'))
  })

  it('reads the key from stdin when no argument is given, so it need not show in ps', async () => {
    const env = envFor('stdin')
    const maci = maciVector('three leading zero bytes')
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), '--json', 'voter', 'import-key'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      input: `${maci.macisk}\n`,
      encoding: 'utf8',
    })
    expect(child.status, child.stderr).toBe(0)
    expect(JSON.parse(child.stdout)).toMatchObject({ key: 0, macipk: maci.macipk })
    expect(await json(['voter', 'export-key', '--private'], env)).toMatchObject({ macisk: maci.macisk, macipk: maci.macipk })
  })

  it('refuses a second key unless told to make it current, keeps the earlier keys, and marks the current one', async () => {
    const env = envFor('replace')
    const first = await json(['voter', 'keygen'], env)
    expect(decodePublicKey(first.macipk as string)).toEqual((first.publicKey as string).split(':').map(BigInt))

    const maci = maciVector('random 2')
    const refused = await cluster.run(['voter', 'import-key', maci.macisk], env)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr.trim()).toMatch(/^error: a keystore already exists at .*--replace-current/)
    expect(refused.stderr).not.toContain(maci.macisk.slice(7))

    expect(await json(['voter', 'import-key', '--replace-current', maci.macisk], env)).toMatchObject({ key: 1, macipk: maci.macipk })
    // The current key again: nothing changes.
    expect(await json(['voter', 'import-key', maci.macisk], env)).toMatchObject({ key: 1, macipk: maci.macipk, existing: true })

    const status = await cluster.runOk(['voter', 'status'], env)
    expect(status).toMatch(new RegExp(`^ {2}key 0 \\(keygen, not signed up\\): ${first.macipk as string}$`, 'm'))
    expect(status).toMatch(new RegExp(`^\\* key 1 \\(import, not signed up\\): ${maci.macipk} {2}<- current$`, 'm'))
    const statusJson = (await json(['voter', 'status'], env)) as { keys: Array<{ macipk: string; publicKey: string; current: boolean }> }
    expect(statusJson.keys.map((key) => [key.macipk, key.current])).toEqual([
      [first.macipk, false],
      [maci.macipk, true],
    ])
    expect(await json(['voter', 'export-key', '--key', '0'], env)).toMatchObject({ key: 0, macipk: first.macipk })
  })

  it('refuses a malformed macisk with one line that does not repeat it', async () => {
    const env = envFor('malformed')
    const text = `${maciVector('random 3').macisk.slice(0, -1)}z`
    const result = await cluster.run(['voter', 'import-key', text], env)
    expect(result.code).not.toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual(['error: a MACI private key is "macisk." followed by 64 hex digits'])
  })

  it('refuses a keystore of maci-anon 0.1 (the old key derivation) with one line', async () => {
    const env = envFor('old-keystore')
    await mkdir(env.MACI_ANON_DATA_DIR, { recursive: true })
    const keystore = dataPaths(env.MACI_ANON_DATA_DIR).voterKeystore
    // Version 2, as maci-anon 0.1 wrote it: no derivation named.
    const old = { version: 2, keys: [{ privateKey: Buffer.from(generateKeypair().privateKey).toString('hex'), origin: 'keygen' }], deactivations: [], pending: [] }
    await writeKeystore(keystore, old, PASSPHRASE)
    for (const args of [['voter', 'status'], ['voter', 'export-key', '--private']]) {
      const result = await cluster.run(args, env)
      expect(result.code, args.join(' ')).not.toBe(0)
      const lines = result.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`the keystore ${keystore} was made by maci-anon 0.1 with its old key derivation`)
      expect(result.stdout).not.toContain('macisk')
    }
  })

  it('refuses an operator directory of maci-anon 0.1 (no derivation in secret/operator) with one line', async () => {
    const dataDir = join(temp.path, 'old-operator')
    const state = dataPaths(dataDir).operatorState
    await Operator.initialize(state)
    // Rewritten as maci-anon 0.1 stored it: the same fields, no derivation.
    const store = await LevelStore.open(state)
    const { derivation, ...secrets } = JSON.parse((await store.get('secret/operator')) as string) as Record<string, unknown>
    expect(derivation).toBe('maci')
    await store.batch([{ type: 'put', key: 'secret/operator', value: JSON.stringify(secrets) }])
    await store.close()

    await expect(Operator.open(state)).rejects.toThrow(/made by maci-anon 0\.1 with its old key derivation.*re-initialise/)
    const result = await cluster.run(['operator', 'status'], { MACI_ANON_DATA_DIR: dataDir })
    expect(result.code).not.toBe(0)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/made by maci-anon 0\.1 with its old key derivation, which MACI does not share: re-initialise it/)
  })
})
