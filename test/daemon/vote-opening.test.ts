/**
 * The tally's judging (src/daemon/vote-opening.ts): each vote judged alone, and a log large
 * enough for worker threads judged to the same answers, in log order.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, hashPublicKey } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { judgeVote } from '../../src/core/message-opening.js'

const operator = generateKeypair()
const voter = generateKeypair()

/** Valid votes, a deactivation, a vote in the wrong context, a tampered ciphertext and a bad signature. */
function distinctCiphertexts(): Uint8Array[] {
  const vote = (option: bigint, context: string = EncryptionContext.vote) =>
    encryptTo(operator.publicKey, encodeMessage(signMessage(voter, MessageKind.vote, option)), context)
  const tampered = vote(9n)
  tampered[120] ^= 1
  const badSignature = signMessage(voter, MessageKind.vote, 5n)
  const forged = encryptTo(operator.publicKey, encodeMessage({ ...badSignature, payload: 6n }), EncryptionContext.vote)
  const deactivation = encryptTo(operator.publicKey, encodeMessage(signMessage(voter, MessageKind.deactivate, 3n)), EncryptionContext.vote)
  return [...Array.from({ length: 31 }, (_, i) => vote(BigInt(i))), deactivation, vote(1n, EncryptionContext.deactivation), tampered, forged]
}

describe('judging votes for the tally', () => {
  it('keeps a vote that opens and verifies, with its key hash and option, and nothing else', () => {
    const judged = distinctCiphertexts().map((ciphertext) => judgeVote(operator.privateKey, ciphertext, EncryptionContext.vote))
    expect(judged.slice(0, 31)).toEqual(Array.from({ length: 31 }, (_, i) => ({ keyHash: hashPublicKey(voter.publicKey), option: BigInt(i) })))
    expect(judged.slice(31)).toEqual([undefined, undefined, undefined, undefined])
  })

  it('gives the same answers, in log order, when worker threads judge slices of a large log', async () => {
    const distinct = distinctCiphertexts()
    const expected = distinct.map((ciphertext) => judgeVote(operator.privateKey, ciphertext, EncryptionContext.vote))
    // 35 does not divide the slice size, so slices coming back in the wrong order would show.
    const log = Array.from({ length: 2_100 }, (_, i) => distinct[i % distinct.length])
    const script = fileURLToPath(new URL('./fixtures/judge-votes.ts', import.meta.url))
    const tsx = fileURLToPath(import.meta.resolve('tsx'))
    const output = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, ['--import', tsx, script], { maxBuffer: 1 << 24 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
      child.stdin?.end(JSON.stringify({ privateKey: Buffer.from(operator.privateKey).toString('hex'), ciphertexts: log.map((c) => Buffer.from(c).toString('hex')) }))
    })
    const { cores, votes } = JSON.parse(output) as { cores: number; votes: Array<[string, string] | null> }
    expect(cores).toBeGreaterThanOrEqual(2)
    expect(votes).toHaveLength(log.length)
    votes.forEach((vote, i) => {
      const want = expected[i % distinct.length]
      expect(vote, `vote ${i}`).toEqual(want === undefined ? null : [want.keyHash.toString(), want.option.toString()])
    })
  }, 120_000)
})
