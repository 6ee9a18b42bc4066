import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cp, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { poseidon, realLeafOf } from '../../src/crypto/poseidon.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { ReactivationRejected } from '../../src/core/reactivation.js'
import { encryptTo } from '../../src/crypto/encryption.js'
import { LevelStore } from '../../src/store/level-store.js'
import { makeDeactivation, type Deactivation } from '../../src/core/voter.js'
import type { Channel } from '../../src/mpc/channel.js'
import { memoryChannelPair, type MemoryChannel } from '../../src/mpc/memory-channel.js'
import { ACKNOWLEDGEMENT_TEXT } from '../../src/core/reactivation/messages.js'
import { serveReactivation } from '../../src/core/reactivation/operator-session.js'
import { requestReactivation, runVoterSession } from '../../src/protocol/reactivate.js'
import { releaseProverThreads, verifyProof } from '../../src/zk/groth16.js'
import { prepareAgainst, temporaryDirectory } from '../operator/helpers.js'
import { exportProofs } from '../../src/daemon/proof-export.js'

const run = promisify(execFile)
/** The sealed submission's plaintext: a C share (G1, 64 bytes) and the new key (two field elements). */
const SEALED_PLAINTEXT_BYTES = 64 + 2 * 32
const root = new URL('../../', import.meta.url).pathname

afterAll(() => releaseProverThreads())

interface SessionRun {
  acknowledgement: string
  activated: boolean
  operatorChannel: MemoryChannel
  voterChannel: MemoryChannel
  newKeypair: Keypair
  /** The voter's fresh rho of this run, to scan the operator's view for. */
  rho: bigint
}

/** One full session over an in-memory channel pair, both sides recording their transcripts. */
async function reactivate(operator: Operator, deactivation: Deactivation, leafIndex: number): Promise<SessionRun> {
  const [operatorChannel, voterChannel] = memoryChannelPair({ record: true, timeoutMs: 60_000 })
  const newKeypair = generateKeypair()
  const prepared = prepareAgainst(operator, deactivation.secret, leafIndex, newKeypair.publicKey)
  const [outcome, answer] = await Promise.all([serveReactivation(operatorChannel, operator), runVoterSession(voterChannel, prepared)])
  return {
    acknowledgement: answer.acknowledgement,
    activated: outcome.activated,
    operatorChannel,
    voterChannel,
    newKeypair,
    rho: prepared.reactivation.leafOpening.rho,
  }
}

/** Every byte string the tests can think of for a field element. */
function encodings(value: bigint): Buffer[] {
  const bigEndian = Buffer.from(Fr.toBytesBE(value))
  return [bigEndian, Buffer.from(bigEndian).reverse(), Buffer.from(value.toString()), Buffer.from(value.toString(16))]
}

function contains(messages: Uint8Array[], needle: Buffer): boolean {
  return messages.some((message) => Buffer.from(message).includes(needle))
}

describe('reactivation 2PC session', () => {
  let operator: Operator
  let directory: string
  let cleanup: () => Promise<void>
  let workspace: string
  const voters = { valid: generateKeypair(), invalid: generateKeypair() }
  const deactivations: Record<'valid' | 'invalid', { deactivation: Deactivation; index: number }> = {} as never
  const runs = {} as Record<'valid' | 'invalid', SessionRun>

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    workspace = temp.path
    cleanup = temp.remove
    directory = join(workspace, 'operator')
    await Operator.initialize(directory)
    operator = await Operator.open(directory)
    await operator.signup(voters.valid.publicKey)
    const params = operator.publicParameters()
    const valid = makeDeactivation(voters.valid, params)
    deactivations.valid = { deactivation: valid, index: (await operator.submitDeactivation(valid.ciphertext)).index }
    // Signed up, but already deactivated once, so its second deactivation gets a random leaf
    // (a key that never signed up is refused openly, with no leaf at all).
    await operator.signup(voters.invalid.publicKey)
    await operator.submitDeactivation(makeDeactivation(voters.invalid, params).ciphertext)
    const invalid = makeDeactivation(voters.invalid, params)
    deactivations.invalid = { deactivation: invalid, index: (await operator.submitDeactivation(invalid.ciphertext)).index }
    // A copy of the operator's state before any session, to run one invalid session twice.
    await operator.close()
    await cp(directory, join(workspace, 'operator-copy'), { recursive: true })
    operator = await Operator.open(directory)
    // Both sessions run here, so every test below stands on its own whichever of them runs.
    runs.valid = await reactivate(operator, deactivations.valid.deactivation, deactivations.valid.index)
    runs.invalid = await reactivate(operator, deactivations.invalid.deactivation, deactivations.invalid.index)
  })
  afterAll(async () => {
    await operator.close()
    await cleanup()
  })

  it('valid leaf: the new key is activated, and the exported proof passes the unmodified snarkjs CLI', async () => {
    const result = runs.valid
    expect(result.acknowledgement).toBe(ACKNOWLEDGEMENT_TEXT)
    expect(result.activated).toBe(true)
    expect(operator.isActive(result.newKeypair.publicKey)).toBe(true)

    const exported = join(workspace, 'export')
    await mkdir(exported)
    expect(await exportProofs(operator, exported)).toBe(1)
    const files = (name: string) => ['vkey', 'public', 'proof'].map((kind) => join(exported, 'activation-0', `${name}.${kind}.json`))
    const { stdout } = await run(process.execPath, [join(root, 'node_modules/snarkjs/cli.js'), 'groth16', 'verify', ...files('leaf_opening')])
    expect(stdout).toContain('OK!')
    const publicSignals = JSON.parse(await readFile(files('leaf_opening')[1], 'utf8')) as string[]
    const record = await operator.reactivationRecord(0)
    expect(publicSignals).toEqual([record.link, operator.publicParameters().keyCommitment.toString()])
    expect(record.membership.publicSignals[3]).toBe(record.link)
  })

  it('random leaf: the voter gets the same acknowledgement, nothing is activated', async () => {
    const result = runs.invalid
    expect(result.acknowledgement).toBe(ACKNOWLEDGEMENT_TEXT)
    expect(result.activated).toBe(false)
    expect(operator.isActive(result.newKeypair.publicKey)).toBe(false)
  })

  it("the voter's transcript has the same shape for a valid and an invalid leaf", () => {
    const shape = (channel: MemoryChannel) => channel.transcript.map((entry) => `${entry.direction}:${entry.bytes.length}`)
    expect(shape(runs.invalid.voterChannel)).toEqual(shape(runs.valid.voterChannel))
    const last = (channel: MemoryChannel) => Buffer.from(channel.transcript.at(-1)!.bytes)
    expect(last(runs.invalid.voterChannel).equals(last(runs.valid.voterChannel))).toBe(true)
  })

  it("the operator never receives the voter's commitment, leaf or rho, and the voter never K or kappa", () => {
    const { K, kappa } = operator.leafKeySecrets()
    for (const kind of ['valid', 'invalid'] as const) {
      const { deactivation, index } = deactivations[kind]
      const received = (channel: MemoryChannel) => channel.transcript.filter((e) => e.direction === 'received').map((e) => e.bytes)
      const operatorView = received(runs[kind].operatorChannel)
      const voterView = received(runs[kind].voterChannel)
      const leaf = operator.leaves(index, index + 1)[0]
      const { rho } = runs[kind]
      for (const secret of [deactivation.commitment, deactivation.secret, leaf, rho]) {
        for (const encoding of encodings(secret)) expect(contains(operatorView, encoding)).toBe(false)
      }
      for (const secret of [K, kappa]) {
        for (const encoding of encodings(secret)) expect(contains(voterView, encoding)).toBe(false)
      }
    }
  })

  it('two runs on the same invalid inputs hand the operator unrelated, non-verifying C values', async () => {
    const copyDirectory = join(workspace, 'operator-copy')
    const pis: string[][] = []
    for (let attempt = 0; attempt < 2; attempt++) {
      const target = join(workspace, `copy-${attempt}`)
      await cp(copyDirectory, target, { recursive: true })
      const copy = await Operator.open(target)
      try {
        const { deactivation, index } = deactivations.invalid
        const result = await reactivate(copy, deactivation, index)
        expect(result.activated).toBe(false)
        const record = await copy.reactivationRecord(0)
        expect(await verifyProof('leaf_opening', record.leafOpening)).toBe(false)
        pis.push(record.leafOpening.proof.pi_c)
      } finally {
        await copy.close()
      }
    }
    expect(pis[0]).not.toEqual(pis[1])
  })

  it('right leaf, wrong K: an operator whose K did not make the leaf activates nothing', async () => {
    // Another operator key pair (K', kappa') with its own consistent KC' = H(K', kappa'),
    // written over a copy of the state in which the voter's leaf was made with K.
    const target = join(workspace, 'wrong-key')
    await cp(join(workspace, 'operator-copy'), target, { recursive: true })
    const store = await LevelStore.open(target)
    const secrets = JSON.parse((await store.get('secret/operator'))!) as Record<string, string>
    const params = JSON.parse((await store.get('meta/params'))!) as Record<string, unknown>
    const [wrongKey, wrongBlinding] = [randomFieldElement(), randomFieldElement()]
    await store.batch([
      { type: 'put', key: 'secret/operator', value: JSON.stringify({ ...secrets, leafKey: String(wrongKey), leafKeyBlinding: String(wrongBlinding) }) },
      { type: 'put', key: 'meta/params', value: JSON.stringify({ ...params, keyCommitment: String(poseidon([wrongKey, wrongBlinding])) }) },
    ])
    await store.close()
    const wrong = await Operator.open(target)
    try {
      const { deactivation, index } = deactivations.valid
      const leaf = wrong.leaves(index, index + 1)[0]
      expect(leaf).toBe(realLeafOf(BigInt(secrets.leafKey), deactivation.commitment, index))
      const result = await reactivate(wrong, deactivation, index)
      expect(result.acknowledgement).toBe(ACKNOWLEDGEMENT_TEXT)
      expect(result.activated).toBe(false)
      expect(await verifyProof('leaf_opening', (await wrong.reactivationRecord(0)).leafOpening)).toBe(false)
    } finally {
      await wrong.close()
    }
  })

  /** A full session of a fresh signed-up voter, with the operator's side changed by `operatorAs`. */
  async function sessionWith(
    operatorAs: (operator: Operator) => Operator,
    channelAs: (channel: Channel) => Channel = (channel) => channel,
    voterChannelAs: (channel: Channel) => Channel = (channel) => channel,
  ) {
    const voter = generateKeypair()
    await operator.signup(voter.publicKey)
    const deactivation = makeDeactivation(voter, operator.publicParameters())
    const { index } = await operator.submitDeactivation(deactivation.ciphertext)
    const [operatorChannel, voterChannel] = memoryChannelPair({ timeoutMs: 60_000 })
    const prepared = prepareAgainst(operator, deactivation.secret, index)
    // The operator's side closes its end when it stops, as the server does after a session.
    const served = serveReactivation(channelAs(operatorChannel), operatorAs(operator)).finally(() => operatorChannel.close())
    return Promise.allSettled([served, runVoterSession(voterChannelAs(voterChannel), prepared)])
  }

  it('tells the voter REFUSED when the operator refuses the submission itself after the 2PC', async () => {
    // As if the nullifier had been spent while this session ran: the only refusal left at acceptance.
    const refusing = (real: Operator) =>
      new Proxy(real, {
        get: (target, property, receiver) =>
          property === 'acceptReactivation'
            ? () => Promise.reject(new ReactivationRejected('NULLIFIER_USED', 'nullifier was already used'))
            : (Reflect.get(target, property, receiver) as unknown),
      })
    const before = operator.status().reactivationAttempts
    const [served, requested] = await sessionWith(refusing)
    expect(served).toMatchObject({ status: 'rejected', reason: { code: 'REFUSED' } })
    expect(requested).toMatchObject({
      status: 'rejected',
      reason: { name: 'ReactivationSessionError', code: 'REFUSED', message: expect.stringMatching(/refused the submission/) },
    })
    expect(operator.status().reactivationAttempts).toBe(before)
  })

  /** `channel`, with each message it sends passed through `rewrite` first. */
  const rewriting = (rewrite: (message: Uint8Array) => Uint8Array) => (channel: Channel): Channel => ({
    send: (message) => channel.send(rewrite(message)),
    receive: (options) => channel.receive(options),
    close: () => channel.close(),
    get stats() {
      return channel.stats
    },
  })

  it('ends with PROTOCOL when the last answer is neither the acknowledgement nor the refusal', async () => {
    const garbling = rewriting((message) => (Buffer.from(message).equals(Buffer.from(ACKNOWLEDGEMENT_TEXT)) ? Buffer.alloc(message.length, 0x2a) : message))
    const [served, requested] = await sessionWith((real) => real, garbling)
    expect(served.status).toBe('fulfilled')
    expect(requested).toMatchObject({ status: 'rejected', reason: { code: 'PROTOCOL', message: expect.stringMatching(/unexpected acknowledgement/) } })
  })

  it('refuses as MALFORMED a sealed submission that does not open, or opens to something that is not a share and a key', async () => {
    const params = operator.publicParameters()
    // The sealed submission is the voter's last message: ECIES, so a tampered one does not open,
    // and one sealed anew around random bytes opens to a C share and a key that are not points.
    const isSealed = (message: Uint8Array) => message.length === encryptTo(params.operatorPublicKey, new Uint8Array(SEALED_PLAINTEXT_BYTES), 'x').length
    const tampered = rewriting((message) => (isSealed(message) ? Buffer.from(message).map((byte, i) => (i === 100 ? byte ^ 1 : byte)) : message))
    const resealed = rewriting((message) =>
      isSealed(message) ? encryptTo(params.operatorPublicKey, randomBytes(SEALED_PLAINTEXT_BYTES), EncryptionContext.sealedShare) : message,
    )
    for (const voterSide of [tampered, resealed]) {
      const before = operator.status().reactivationAttempts
      const [served] = await sessionWith((real) => real, (channel) => channel, voterSide)
      expect(served).toMatchObject({ status: 'rejected', reason: { code: 'MALFORMED', message: expect.stringMatching(/^MALFORMED: sealed submission: .+/) } })
      expect(operator.status().reactivationAttempts).toBe(before)
    }
  })

  it('refuses a second session with a spent nullifier before any 2PC work', async () => {
    const [operatorChannel, voterChannel] = memoryChannelPair({ record: true })
    const params = operator.publicParameters()
    const { deactivation, index } = deactivations.valid
    const [served, requested] = await Promise.allSettled([
      serveReactivation(operatorChannel, operator),
      requestReactivation(voterChannel, {
        secret: deactivation.secret,
        leafIndex: index,
        leaves: operator.leaves(0, operator.status().deactivations),
        newPublicKey: generateKeypair().publicKey,
        params,
        deactivatedUnder: params.keyCommitment,
      }),
    ])
    expect(served.status).toBe('rejected')
    expect(requested).toMatchObject({ status: 'rejected', reason: { code: 'NULLIFIER_USED' } })
    expect(operatorChannel.transcript).toHaveLength(2)
  })

  it("sends nothing to an operator whose published vkeys are not this release's", async () => {
    const [, voterChannel] = memoryChannelPair({ record: true })
    const params = operator.publicParameters()
    const { deactivation, index } = deactivations.invalid
    const rogue = { ...params, vkeyHashes: { ...params.vkeyHashes, leafOpening: '00'.repeat(32) } }
    await expect(
      requestReactivation(voterChannel, {
        secret: deactivation.secret,
        leafIndex: index,
        leaves: operator.leaves(0, operator.status().deactivations),
        newPublicKey: generateKeypair().publicKey,
        params: rogue,
        deactivatedUnder: params.keyCommitment,
      }),
    ).rejects.toMatchObject({ code: 'RELEASE_MISMATCH' })
    expect(voterChannel.transcript).toHaveLength(0)
  })
})
