/**
 * Issue 13, scope 4: with --json, every error carries a code, not only protocol errors, so a
 * script can branch on it without reading sentences.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalCluster } from '../../scripts/lib/local-cluster.js'
import { CliError, typedFields } from '../../src/cli/errors.js'
import { ReactivationSessionError } from '../../src/core/reactivation/errors.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { ProtocolError, RemoteAbortError } from '../../src/protocol/errors.js'
import { MessageRefused } from '../../src/core/messages.js'
import { VoterKeystoreError } from '../../src/daemon/voter-keystore.js'

describe('error codes', () => {
  it('gives every error a code: wire codes, own codes, class names, INTERNAL otherwise', () => {
    expect(typedFields(new ProtocolError('UNAVAILABLE', 'x: busy, retry in 3 s'))).toEqual({ code: 'UNAVAILABLE' })
    expect(typedFields(new ChannelError('TIMEOUT', 'slow'))).toEqual({ code: 'TIMEOUT' })
    expect(typedFields(new RemoteAbortError('REFUSED', 'no'))).toEqual({ code: 'REFUSED' })
    expect(typedFields(new MessageRefused('UNKNOWN_KEY', 'who'))).toEqual({ code: 'UNKNOWN_KEY' })
    expect(typedFields(new ReactivationSessionError('BUSY', 'busy', 4))).toEqual({ code: 'BUSY', retryAfterSeconds: 4 })
    expect(typedFields(new ReactivationSessionError('REFUSED', 'no'))).toEqual({ code: 'REFUSED' })
    expect(typedFields(new VoterKeystoreError('locked'))).toEqual({ code: 'VOTER_KEYSTORE' })
    expect(typedFields(new CliError('usage'))).toEqual({ code: 'CLI' })
    expect(typedFields(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toEqual({ code: 'ENOENT' })
    expect(typedFields(new Error('bug'))).toEqual({ code: 'INTERNAL' })
    expect(typedFields('thrown text')).toEqual({ code: 'INTERNAL' })
  })

  it('prints the code of a failed command under --json, on stderr, and nothing on stdout', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maci-anon-json-errors-'))
    try {
      const result = await new LocalCluster().run(['--json', 'voter', 'vote', '1'], {
        MACI_ANON_DATA_DIR: join(root, 'voter'),
        MACI_ANON_PASSPHRASE: 'test-only-passphrase',
        MACI_ANON_OPERATOR: '/ip4/127.0.0.1/tcp/1',
      })
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } }
      expect(error.code).toMatch(/^[A-Z][A-Z_]+$/)
      expect(error.message.length).toBeGreaterThan(0)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
