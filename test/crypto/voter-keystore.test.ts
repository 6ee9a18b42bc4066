/**
 * The voter's keystore format: pending deactivations (saved before sending, so a lost
 * receipt loses nothing) survive a save and a load byte for byte, completing one moves it
 * to the deactivations with its receipt, and a keystore written before pending entries
 * existed (version 1) still loads.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { generateKeypair } from '../../src/crypto/keys.js'
import { writeKeystore } from '../../src/crypto/keystore.js'
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

  it('loads a version 1 keystore, which has no pending entries', async () => {
    const path = join(temp.path, 'v1.keystore')
    const keypair = generateKeypair()
    await writeKeystore(
      path,
      {
        version: 1,
        keys: [{ privateKey: Buffer.from(keypair.privateKey).toString('hex'), origin: 'keygen', stateIndex: 2 }],
        deactivations: [{ keyIndex: 0, secret: '11', commitment: '22', leafIndex: 3, leaf: '44', root: '55', reactivatedAs: 1 }],
      },
      PASSPHRASE,
    )
    const loaded = await loadVoterState(path, PASSPHRASE)
    expect(loaded.keys[0].keypair.publicKey).toEqual(keypair.publicKey)
    expect(loaded.deactivations).toEqual([{ keyIndex: 0, secret: 11n, commitment: 22n, leafIndex: 3, leaf: 44n, root: 55n, reactivatedAs: 1 }])
    expect(loaded.pending).toEqual([])
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
