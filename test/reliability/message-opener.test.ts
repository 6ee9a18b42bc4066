/**
 * Issue 12, item 5: the daemon opens deactivations and votes on a worker thread
 * (workerMessageOpener), the tests' operators in their own thread (inThreadMessageOpener).
 * Both must give the same answer for every kind of ciphertext, answer many calls at once
 * each with its own result, and survive the worker's death.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, hashPublicKey } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { inThreadMessageOpener, type MessageOpener } from '../../src/core/message-opening.js'
import { MessageOpenerError, workerMessageOpener, workerMessageOpenerOn, workerSourceOf } from '../../src/daemon/message-opener.js'
import { EncryptionContext, MESSAGE_CIPHERTEXT_BYTES } from '../../src/core/messages.js'

const operatorKeys = generateKeypair()
const voter = generateKeypair()

function sealed(kind: MessageKind, signer = voter, context: string = EncryptionContext.deactivation): Uint8Array {
  const message = { ...signMessage(signer, kind, 42n), publicKey: voter.publicKey }
  return encryptTo(operatorKeys.publicKey, encodeMessage(message), context)
}

describe('message openers', () => {
  const opened: MessageOpener[] = []
  const start = (factory: typeof workerMessageOpener) => {
    const opener = factory(operatorKeys.privateKey)
    opened.push(opener)
    return opener
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((opener) => opener.close()))
  })

  it('the worker gives what the calling thread gives, for every kind of ciphertext', async () => {
    const cases: Array<[string, Uint8Array, string, boolean]> = [
      ['valid deactivation', sealed(MessageKind.deactivate), EncryptionContext.deactivation, true],
      ['forged signature', sealed(MessageKind.deactivate, generateKeypair()), EncryptionContext.deactivation, true],
      ['a vote, not verified', sealed(MessageKind.vote, voter, EncryptionContext.vote), EncryptionContext.vote, false],
      ['sealed for another use', sealed(MessageKind.deactivate, voter, EncryptionContext.vote), EncryptionContext.deactivation, true],
      ['random bytes', randomBytes(MESSAGE_CIPHERTEXT_BYTES), EncryptionContext.deactivation, true],
    ]
    const inThread = start(inThreadMessageOpener)
    const worker = start(workerMessageOpener)
    for (const [name, ciphertext, context, verify] of cases) {
      const expected = await inThread.open(ciphertext, context, verify)
      expect(await worker.open(ciphertext, context, verify), name).toEqual(expected)
    }
    const valid = await worker.open(cases[0][1], EncryptionContext.deactivation, true)
    expect(valid).toMatchObject({ keyHash: hashPublicKey(voter.publicKey), signatureValid: true, message: { payload: 42n } })
    expect(await worker.open(cases[1][1], EncryptionContext.deactivation, true)).toMatchObject({ signatureValid: false })
    expect(await worker.open(cases[3][1], EncryptionContext.deactivation, true)).toBeUndefined()
  })

  it('answers many calls at once, each with its own result', async () => {
    const worker = start(workerMessageOpener)
    const senders = Array.from({ length: 24 }, () => generateKeypair())
    const ciphertexts = senders.map((sender) => encryptTo(operatorKeys.publicKey, encodeMessage(signMessage(sender, MessageKind.deactivate, 7n)), EncryptionContext.deactivation))
    const results = await Promise.all(ciphertexts.map((ciphertext) => worker.open(ciphertext, EncryptionContext.deactivation, true)))
    expect(results.map((result) => result?.keyHash)).toEqual(senders.map((sender) => hashPublicKey(sender.publicKey)))
    expect(results.every((result) => result?.signatureValid === true)).toBe(true)
  })

  it('fails the calls in flight when the worker dies, and starts a new one for the next', async () => {
    const source = workerSourceOf(new URL('./fixtures/dying-opener-worker.ts', import.meta.url))
    const worker = workerMessageOpenerOn(source, operatorKeys.privateKey)
    opened.push(worker)
    const valid = sealed(MessageKind.deactivate)
    const inFlight = worker.open(valid, EncryptionContext.deactivation, true)
    const fatal = worker.open(valid, 'die', true)
    const after = worker.open(valid, EncryptionContext.deactivation, true)
    expect(await inFlight).toMatchObject({ signatureValid: true })
    await expect(fatal).rejects.toThrow(MessageOpenerError)
    await expect(after).rejects.toThrow(/exited with code 3/)
    expect(await worker.open(valid, EncryptionContext.deactivation, true)).toMatchObject({ signatureValid: true })
  })

  it('fails what is in flight on close', async () => {
    const worker = start(workerMessageOpener)
    const pending = worker.open(sealed(MessageKind.deactivate), EncryptionContext.deactivation, true).catch((error: unknown) => error)
    await worker.close()
    expect(await pending).toBeInstanceOf(MessageOpenerError)
    expect(String(await pending)).toMatch(/closing/)
  })
})
