/**
 * Attack 2 of issue 8 (P1): outcome oracles through the operator's work. Anyone can make a
 * valid membership proof for any public leaf, and signup is open, so a briber can submit a
 * reactivation whose new key is a key Y it wants to learn about, or deactivate a key in any
 * state, and time the reply. The old acceptance skipped the leaf-opening verification when
 * Y was already active. No timing assertion here (too flaky): instead, each voter-triggered
 * path is run in every state that matters, and the test asserts that the operator ran the
 * same verifications and wrote a batch of the same shape in all of them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, type Keypair } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { EncryptionContext } from '../../src/core/messages.js'
import { type Operator } from '../../src/daemon/operator.js'
import { LevelStore, type BatchOperation } from '../../src/store/level-store.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { freshOperator, reactivateWithReferenceProver } from '../operator/helpers.js'

/** Which proofs and signatures the operator checked, in order. The real functions still run. */
const work: string[] = []

vi.mock('../../src/zk/groth16.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/zk/groth16.js')>()
  return {
    ...original,
    verifyProof: (name: Parameters<typeof original.verifyProof>[0], proof: Parameters<typeof original.verifyProof>[1]) => {
      work.push(`verify ${name}`)
      return original.verifyProof(name, proof)
    },
  }
})
vi.mock('../../src/crypto/signed-message.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/crypto/signed-message.js')>()
  return {
    ...original,
    verifyMessageOfAdmittedKey: (message: Parameters<typeof original.verifyMessageOfAdmittedKey>[0]) => {
      work.push('verify signature')
      return original.verifyMessageOfAdmittedKey(message)
    },
  }
})

/** The batch as a shape: operation types and key prefixes, no values. */
let batches: string[][] = []
const shapeOf = (operations: BatchOperation[]) => operations.map((op) => `${op.type} ${op.key.split('/')[0]}`)

describe('attack 2: the operator does the same work whatever the outcome', () => {
  let operator: Operator
  let cleanup: () => Promise<void>
  const keys: Record<string, Keypair> = {}

  beforeAll(async () => {
    ;({ operator, cleanup } = await freshOperator())
    const original = LevelStore.prototype.batch
    vi.spyOn(LevelStore.prototype, 'batch').mockImplementation(function (this: LevelStore, operations: BatchOperation[]) {
      batches.push(shapeOf(operations))
      return original.call(this, operations)
    })
    for (const name of ['alice', 'bob', 'carol', 'yvonne', 'briber']) {
      keys[name] = generateKeypair()
      await operator.signup(keys[name].publicKey)
    }
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await cleanup()
  })
  beforeEach(() => {
    work.length = 0
    batches = []
  })

  /** Runs `step` and returns the work it did and the batch shapes it wrote. */
  async function observe(step: () => Promise<unknown>): Promise<{ work: string[]; batches: string[][] }> {
    work.length = 0
    batches = []
    await step()
    return { work: [...work], batches: [...batches] }
  }

  it('reactivation: a valid attempt, one whose new key is already active, and one with a random leaf', async () => {
    const params = operator.publicParameters()
    const valid = makeDeactivation(keys.alice, params)
    const validReceipt = await operator.submitDeactivation(valid.ciphertext)
    const second = makeDeactivation(keys.bob, params)
    const secondReceipt = await operator.submitDeactivation(second.ciphertext)
    // Carol's second deactivation finds her key inactive: its leaf is random.
    await operator.submitDeactivation(makeDeactivation(keys.carol, params).ciphertext)
    const junk = makeDeactivation(keys.carol, params)
    const junkReceipt = await operator.submitDeactivation(junk.ciphertext)

    const activates = await reactivateWithReferenceProver(operator, valid, validReceipt.index)
    // The briber's probe: a real leaf, but the new key is Yvonne's, which is active.
    const probe = await reactivateWithReferenceProver(operator, second, secondReceipt.index, keys.yvonne)
    const random = await reactivateWithReferenceProver(operator, junk, junkReceipt.index)

    const outcomes: boolean[] = []
    const observed = []
    for (const attempt of [activates, probe, random]) {
      observed.push(await observe(async () => outcomes.push((await operator.acceptReactivation(attempt.submission)).activated)))
    }
    expect(outcomes).toEqual([true, false, false])
    expect(observed[0].work).toEqual(['verify membership', 'verify leaf_opening'])
    expect(observed[1]).toEqual(observed[0])
    expect(observed[2]).toEqual(observed[0])
  })

  it('deactivation: an active key, an inactive key and a forged signature', async () => {
    const params = operator.publicParameters()
    const dave = generateKeypair()
    await operator.signup(dave.publicKey)
    const active = await observe(() => operator.submitDeactivation(makeDeactivation(dave, params).ciphertext))
    const inactive = await observe(() => operator.submitDeactivation(makeDeactivation(dave, params).ciphertext))
    const forgedMessage = { ...signMessage(generateKeypair(), MessageKind.deactivate, 1n), publicKey: keys.briber.publicKey }
    const forged = encryptTo(params.operatorPublicKey, encodeMessage(forgedMessage), EncryptionContext.deactivation)
    const forgery = await observe(() => operator.submitDeactivation(forged))
    expect(active.work).toEqual(['verify signature'])
    expect(active.batches).toHaveLength(1)
    expect(inactive).toEqual(active)
    expect(forgery).toEqual(active)
  })

  it('vote: an active and an inactive key are logged alike, judged only at tally time', async () => {
    const params = operator.publicParameters()
    const eve = generateKeypair()
    await operator.signup(eve.publicKey)
    const active = await observe(() => operator.submitVote(makeVote(eve, params, 1)))
    await operator.submitDeactivation(makeDeactivation(eve, params).ciphertext)
    const inactive = await observe(() => operator.submitVote(makeVote(eve, params, 1)))
    expect(active.work).toEqual([])
    expect(inactive).toEqual(active)
  })
})
