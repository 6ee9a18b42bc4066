/**
 * The voter's keystore format: pending deactivations (saved before sending, so a lost
 * receipt loses nothing) survive a save and a load byte for byte, completing one moves it
 * to the deactivations with its receipt, a saved file says its keys are of MACI's
 * derivation, and keystores of maci-anon 0.1's derivation (versions 1 and 2) are refused
 * with one sentence that says what to do.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { generateKeypair } from '../../src/crypto/keys.js'
import { readKeystore, writeKeystore } from '../../src/crypto/keystore.js'
import { completePending, loadVoterState, lockKeystore, saveVoterState, VoterKeystoreError, type VoterState } from '../../src/daemon/voter-keystore.js'
import { temporaryDirectory } from '../network/helpers.js'

const PASSPHRASE = 'voter keystore passphrase'

describe('voter keystore', () => {
  let temp: Awaited<ReturnType<typeof temporaryDirectory>>
  beforeAll(async () => {
    temp = await temporaryDirectory()
  })
  afterAll(async () => {
    await temp.remove()
  })

  it('round-trips a pending deactivation, ciphertext byte for byte, and completes it', async () => {
    const path = join(temp.path, 'pending.keystore')
    const keypair = generateKeypair()
    const ciphertext = Uint8Array.from(randomBytes(317))
    const state: VoterState = {
      keys: [{ keypair, origin: 'keygen', stateIndex: 0 }],
      deactivations: [],
      pending: [{ keyIndex: 0, secret: 12345n, commitment: 678n, ciphertext }],
    }
    await saveVoterState(path, PASSPHRASE, state)
    const loaded = await loadVoterState(path, PASSPHRASE)
    expect(loaded.pending).toEqual(state.pending)
    expect(Buffer.from(loaded.pending[0].ciphertext).equals(Buffer.from(ciphertext))).toBe(true)

    expect(completePending(loaded, loaded.pending[0], { leafIndex: 4, leaf: 9n, root: 10n })).toBe(0)
    expect(loaded.pending).toEqual([])
    expect(loaded.deactivations).toEqual([{ keyIndex: 0, secret: 12345n, commitment: 678n, leafIndex: 4, leaf: 9n, root: 10n }])
    expect(() => completePending(loaded, state.pending[0], { leafIndex: 4, leaf: 9n, root: 10n })).toThrow(VoterKeystoreError)
  })

  it("keeps the KC a deactivation was made under through pending, completion and a save, and none for entries saved without it", async () => {
    const path = join(temp.path, 'pinned.keystore')
    const state: VoterState = {
      keys: [{ keypair: generateKeypair(), origin: 'keygen', stateIndex: 0 }],
      deactivations: [{ keyIndex: 0, secret: 1n, commitment: 2n, leafIndex: 0, leaf: 3n, root: 4n }],
      pending: [{ keyIndex: 0, secret: 5n, commitment: 6n, ciphertext: Uint8Array.from(randomBytes(8)), keyCommitment: 2n ** 200n + 7n }],
    }
    await saveVoterState(path, PASSPHRASE, state)
    const loaded = await loadVoterState(path, PASSPHRASE)
    expect(loaded.pending[0].keyCommitment).toBe(2n ** 200n + 7n)
    completePending(loaded, loaded.pending[0], { leafIndex: 1, leaf: 8n, root: 9n })
    await saveVoterState(path, PASSPHRASE, loaded)
    const again = await loadVoterState(path, PASSPHRASE)
    expect(again.deactivations.map((entry) => entry.keyCommitment)).toEqual([undefined, 2n ** 200n + 7n])
  })

  it('writes version 3 with the derivation named, and loads it with its keys and deactivations', async () => {
    const path = join(temp.path, 'v3.keystore')
    const keypair = generateKeypair()
    const deactivation = { keyIndex: 0, secret: 11n, commitment: 22n, leafIndex: 3, leaf: 44n, root: 55n, reactivatedAs: 1 }
    await saveVoterState(path, PASSPHRASE, { keys: [{ keypair, origin: 'import', stateIndex: 2 }], deactivations: [deactivation], pending: [] })
    expect(await readKeystore(path, PASSPHRASE)).toMatchObject({ version: 3, derivation: 'maci' })
    const loaded = await loadVoterState(path, PASSPHRASE)
    expect(loaded.keys).toEqual([{ keypair, origin: 'import', stateIndex: 2 }])
    expect(loaded.deactivations).toEqual([deactivation])
  })

  it('refuses keystores of maci-anon 0.1 (versions 1 and 2, the old key derivation) with one sentence', async () => {
    const privateKey = Buffer.from(generateKeypair().privateKey).toString('hex')
    const old = [
      { version: 1, keys: [{ privateKey, origin: 'keygen', stateIndex: 2 }], deactivations: [] },
      { version: 2, keys: [{ privateKey, origin: 'keygen' }], deactivations: [], pending: [] },
    ]
    for (const contents of old) {
      const path = join(temp.path, `old-v${contents.version}.keystore`)
      await writeKeystore(path, contents, PASSPHRASE)
      const error = (await loadVoterState(path, PASSPHRASE).catch((caught: unknown) => caught)) as Error
      expect(error).toBeInstanceOf(VoterKeystoreError)
      expect(error.message).not.toContain('\n')
      expect(error.message).toContain(`the keystore ${path} was made by maci-anon 0.1 with its old key derivation`)
      expect(error.message).toContain('"voter keygen" or "voter import-key"')
    }
  })

  it('refuses a version 3 file that does not name the derivation', async () => {
    const path = join(temp.path, 'v3-unnamed.keystore')
    await writeKeystore(path, { version: 3, keys: [], deactivations: [], pending: [] }, PASSPHRASE)
    await expect(loadVoterState(path, PASSPHRASE)).rejects.toThrow(VoterKeystoreError)
  })

  it('refuses an unknown version', async () => {
    const path = join(temp.path, 'v9.keystore')
    await writeKeystore(path, { version: 9, keys: [], deactivations: [] }, PASSPHRASE)
    await expect(loadVoterState(path, PASSPHRASE)).rejects.toBeInstanceOf(VoterKeystoreError)
  })

  it('lets one command hold the keystore: a second is refused while the first lives', () => {
    const path = join(temp.path, 'locked.keystore')
    lockKeystore(path)
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid))
    expect(() => lockKeystore(path)).toThrow(VoterKeystoreError)
    expect(() => lockKeystore(path)).toThrow(new RegExp(`pid ${process.pid}`))
  })

  it('takes over a lock left by a process that died', () => {
    const path = join(temp.path, 'stale.keystore')
    // A pid that was alive a moment ago and has exited since.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
    writeFileSync(`${path}.lock`, dead)
    lockKeystore(path)
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid))
  })
})
