/**
 * Attack 7 of issue 8 (DoS): garbage deactivations. Every message used to get a leaf and a
 * log entry of up to 16 KiB, even one that did not decrypt, so anyone could fill the tree.
 * Against a real operator daemon over libp2p: a ciphertext of the wrong length, one of the
 * right length that does not open, and a well-formed one from a key that never signed up
 * are refused openly and add nothing. For a signed-up key, a valid and an invalid
 * deactivation still get receipts of one shape and one leaf each.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import { encryptTo } from '../../src/crypto/encryption.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import type { Node } from '../../src/daemon/node.js'
import { EncryptionContext, MESSAGE_CIPHERTEXT_BYTES } from '../../src/core/messages.js'
import { type PublicParameters } from '../../src/core/parameters.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { submitDeactivation, submitVote } from '../../src/protocol/message.js'
import { requestSignup } from '../../src/protocol/signup.js'
import { SyncClient } from '../../src/protocol/sync.js'
import { startOperator, type RunningOperator } from '../network/fixtures.js'
import { localNode } from '../network/helpers.js'

describe('attack 7: garbage deactivations', () => {
  let daemon: RunningOperator
  let attacker: Node
  let params: PublicParameters

  beforeAll(async () => {
    ;[daemon, attacker] = await Promise.all([startOperator(), localNode(false)])
    const sync = await SyncClient.open(attacker, daemon.address)
    params = await sync.parameters()
    await sync.close()
  })
  afterAll(async () => {
    await attacker.stop()
    await daemon.stop()
  })

  async function head() {
    const sync = await SyncClient.open(attacker, daemon.address)
    try {
      return await sync.head()
    } finally {
      await sync.close()
    }
  }

  it('refuses every kind of garbage openly and adds no leaf and no log entry', async () => {
    const before = await head()
    const stranger = generateKeypair()
    const unknownKey = encryptTo(
      params.operatorPublicKey,
      encodeMessage(signMessage(stranger, MessageKind.deactivate, 5n)),
      EncryptionContext.deactivation,
    )
    const garbage: Array<[Uint8Array, string]> = [
      [randomBytes(16 * 1024 - 64), 'MALFORMED'],
      [randomBytes(MESSAGE_CIPHERTEXT_BYTES - 1), 'MALFORMED'],
      [randomBytes(MESSAGE_CIPHERTEXT_BYTES), 'REFUSED'],
      // A vote ciphertext sent as a deactivation does not open in the deactivation context.
      [makeVote(stranger, params, 1), 'REFUSED'],
      [unknownKey, 'REFUSED'],
    ]
    for (const [ciphertext, code] of garbage) {
      await expect(submitDeactivation(attacker, daemon.address, ciphertext)).rejects.toMatchObject({ remoteCode: code })
      await expect(submitVote(attacker, daemon.address, ciphertext)).rejects.toMatchObject({ remoteCode: code })
    }
    const after = await head()
    expect(after).toEqual(before)
    expect(daemon.service.operator.status()).toMatchObject({ deactivations: before.leaves, votes: 0 })
  })

  it('names what is wrong, and nothing about any key’s state', async () => {
    const stranger = generateKeypair()
    const error = await submitDeactivation(attacker, daemon.address, makeDeactivation(stranger, params).ciphertext).catch((caught: unknown) => caught)
    expect(String((error as Error).message)).toMatch(/neither signed up nor the new key/)
  })

  it('still gives a signed-up key one receipt shape and one leaf, valid or not', async () => {
    const voter = generateKeypair()
    await requestSignup(attacker, daemon.address, voter.publicKey)
    const before = await head()
    const valid = await submitDeactivation(attacker, daemon.address, makeDeactivation(voter, params).ciphertext)
    // The key is now inactive, so this one is invalid; a forged signature is invalid too.
    const inactive = await submitDeactivation(attacker, daemon.address, makeDeactivation(voter, params).ciphertext)
    const forged = { ...signMessage(generateKeypair(), MessageKind.deactivate, 1n), publicKey: voter.publicKey }
    const forgery = await submitDeactivation(
      attacker,
      daemon.address,
      encryptTo(params.operatorPublicKey, encodeMessage(forged), EncryptionContext.deactivation),
    )
    const shape = (receipt: object) => Object.entries(receipt).map(([key, value]) => `${key}:${typeof value}`)
    expect(shape(inactive)).toEqual(shape(valid))
    expect(shape(forgery)).toEqual(shape(valid))
    expect([valid.index, inactive.index, forgery.index]).toEqual([before.leaves, before.leaves + 1, before.leaves + 2])
    expect((await head()).leaves).toBe(before.leaves + 3)
  })

  it('answers a replayed ciphertext from the public log with its original receipt, and adds no leaf', async () => {
    const voter = generateKeypair()
    await requestSignup(attacker, daemon.address, voter.publicKey)
    const { ciphertext } = makeDeactivation(voter, params)
    const original = await submitDeactivation(attacker, daemon.address, ciphertext)
    const sync = await SyncClient.open(attacker, daemon.address)
    const logged = (await sync.log(original.index, original.index + 1))[0]
    await sync.close()
    const before = await head()
    // Anyone can read the log and replay it; the voter itself re-sends after a lost reply.
    for (let i = 0; i < 3; i++) expect(await submitDeactivation(attacker, daemon.address, logged)).toEqual(original)
    expect(await head()).toEqual(before)
  })
})
