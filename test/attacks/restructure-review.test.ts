/**
 * Red-team review of the restructuring since dce0fb0 (core layer, one error base with
 * `exposable`, MACI key derivation). Each block performs an attack on something the
 * restructuring touched and asserts that it fails:
 *
 * 1. Error exposure: a peer must never read a local failure's detail (paths, state) or a
 *    domain refusal that was not mapped to a wire code on purpose; the new `exposable` flag
 *    and onTheWire() must keep everything else INTERNAL.
 * 2. Deactivation rule: a briber compares the operator's batch (key set, value sizes) and the
 *    receipt for a valid deactivation by an active key against every invalid path.
 * 3. Hello and acknowledgement bytes: every refusal and both acknowledgements have one length.
 * 4. Keys: the default zk-kit entry that keys.ts now loads must be BLAKE-1 (the old code
 *    loaded `/blake-1` explicitly); signing nonces stay deterministic and key-dependent; ECDH
 *    clears the cofactor; macipk decoding refuses every small-order and mixed-torsion point.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, hashPublicKey, KeyError, sharedPoint, sign, verify, type Keypair, type PublicKey } from '../../src/crypto/keys.js'
import { decodePublicKey, encodePublicKey, PUBLIC_KEY_PREFIX } from '../../src/crypto/maci-key-format.js'
import { encodeMessage, MessageKind, signMessage } from '../../src/crypto/signed-message.js'
import { FieldEncodingError } from '../../src/crypto/field.js'
import { DecryptionError } from '../../src/crypto/encryption.js'
import { MerkleTreeError } from '../../src/crypto/merkle.js'
import { EncryptionContext, MessageRefused, OperatorError } from '../../src/core/messages.js'
import { StoreError } from '../../src/core/records.js'
import { ReactivationRejected } from '../../src/core/reactivation.js'
import { ReactivationSessionError } from '../../src/core/reactivation/errors.js'
import {
  ACKNOWLEDGEMENT_BYTES,
  encodeAcknowledgement,
  encodeHelloReply,
  HELLO_REPLY_BYTES,
  isHelloRefusal,
} from '../../src/core/reactivation/messages.js'
import { makeDeactivation } from '../../src/core/voter.js'
import type { Operator } from '../../src/daemon/operator.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { errorCodeOf, ProtocolError, publicMessageOf } from '../../src/protocol/errors.js'
import { LevelStore, type BatchOperation } from '../../src/store/level-store.js'
import { CollaborativeProverError } from '../../src/zk/collaborative-groth16.js'
import { ProofEncodingError } from '../../src/zk/proof-encoding.js'
import { edwardsAdd, edwardsMul, pointOfOrderEight, type CurvePoint } from '../crypto/helpers.js'
import { freshOperator } from '../operator/helpers.js'

describe('attack: read the operator directory path off a refusal (local OperatorErrors)', () => {
  it("an operator directory's own failures are local: not exposable, so never a REFUSED with their text", async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { Operator } = await import('../../src/daemon/operator.js')
    const root = await mkdtemp(join(tmpdir(), 'maci-anon-local-'))
    try {
      const missing = join(root, 'not-initialised')
      const failure = await Operator.open(missing).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(OperatorError)
      expect((failure as OperatorError).exposable).toBe(false)
      const initialised = join(root, 'operator')
      await Operator.initialize(initialised)
      const again = await Operator.initialize(initialised).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(again).toBeInstanceOf(OperatorError)
      expect((again as OperatorError).exposable).toBe(false)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
    // The rules' refusals stay exposable: the peer knows those facts already.
    expect(new OperatorError('public key is already signed up').exposable).toBe(true)
    expect(new MessageRefused('UNKNOWN_KEY', 'the key is unknown').exposable).toBe(true)
  })
})

describe('attack: read local detail or a secret off an abort frame (the new exposable flag)', () => {
  const secretPath = '/var/lib/maci-anon/operator/secret'
  const internal: Array<[string, unknown]> = [
    ['StoreError naming a path', new StoreError(`cannot open LevelDB at ${secretPath}`)],
    ['KeyError', new KeyError('public key has small order')],
    ['DecryptionError', new DecryptionError('ephemeral key is not a BabyJubJub point')],
    ['MerkleTreeError', new MerkleTreeError('tree is full')],
    ['CollaborativeProverError', new CollaborativeProverError('multiply returned the wrong number of shares')],
    // Exposable, but not in the wire vocabulary: must stay INTERNAL until a service maps it.
    ['FieldEncodingError', new FieldEncodingError('value is not a field element')],
    ['ProofEncodingError', new ProofEncodingError('expected 384 bytes, got 3')],
    ['OperatorError', new OperatorError(`${secretPath} is not an initialised operator directory`)],
    ['MessageRefused', new MessageRefused('UNKNOWN_KEY', 'the key is unknown')],
    ['ReactivationRejected KEY_MISMATCH', new ReactivationRejected('KEY_MISMATCH', 'bound to another key')],
    ['a local ChannelError', new ChannelError('CLOSED', 'send on a closed channel', { exposable: false })],
    ['a plain Error', new Error(`EACCES ${secretPath}`)],
    ['a RangeError from a local encoding bug', new RangeError('message 7 encodes to 31 bytes, not 32')],
  ]

  it.each(internal)('%s reaches the peer as INTERNAL with the generic sentence', (_name, error) => {
    expect(errorCodeOf(error)).toBe('INTERNAL')
    expect(publicMessageOf(error)).toBe('internal error')
    expect(publicMessageOf(error)).not.toContain(secretPath)
  })

  it('only wire-vocabulary errors a peer caused carry their detail', () => {
    expect(publicMessageOf(new ProtocolError('REFUSED', 'UNKNOWN_KEY: the key is unknown'))).toBe('UNKNOWN_KEY: the key is unknown')
    expect(errorCodeOf(new ChannelError('MALFORMED', 'hello: bad'))).toBe('MALFORMED')
    // The one domain refusal whose code is also a wire code: its detail is about the peer's own signals.
    expect(errorCodeOf(new ReactivationRejected('MALFORMED', 'expected 4 public signals'))).toBe('MALFORMED')
    // A session refusal whose code is a wire code (REFUSED, MALFORMED) travels with its detail; the
    // operator side only ever makes one from the voter's own submission (a key mismatch, its own
    // signals) or 'refused at hello', never from the outcome.
    const refused = new ReactivationSessionError('REFUSED', 'KEY_MISMATCH: the membership proof is bound to another key')
    expect(errorCodeOf(refused)).toBe('REFUSED')
    expect(publicMessageOf(refused)).toBe('KEY_MISMATCH: the membership proof is bound to another key')
    // A domain code that is not a wire code (PROTOCOL, BUSY, NULLIFIER_USED...) stays INTERNAL here.
    expect(errorCodeOf(new ReactivationSessionError('NULLIFIER_USED', 'refused at hello'))).toBe('INTERNAL')
  })
})

describe('attack: tell a real leaf from a random one by the operator\'s batch and receipt', () => {
  let operator: Operator
  let cleanup: () => Promise<void>
  const batches: BatchOperation[][] = []
  const keys: Record<string, Keypair> = {}

  beforeAll(async () => {
    ;({ operator, cleanup } = await freshOperator())
    const original = LevelStore.prototype.batch
    vi.spyOn(LevelStore.prototype, 'batch').mockImplementation(function (this: LevelStore, operations: BatchOperation[]) {
      batches.push(operations)
      return original.call(this, operations)
    })
    for (const name of ['active', 'forged', 'wrongKind']) {
      keys[name] = generateKeypair()
      await operator.signup(keys[name].publicKey)
    }
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await cleanup()
  })

  /** The batch as the disk sees it: every key's prefix and every value's length, bar the leaf and root values. */
  const diskShape = (operations: BatchOperation[]) =>
    operations.map((op) => {
      const prefix = op.key.split('/')[0]
      const value = op.type === 'put' ? op.value : ''
      // leaf/root decimal strings vary with the (uniform) value, real or random alike; the rest must not vary at all.
      const length = ['leaf', 'root', 'meta'].includes(prefix) ? 'var' : value.length
      return `${op.type} ${prefix} ${length}`
    })

  async function deactivate(ciphertext: Uint8Array) {
    const before = batches.length
    const receipt = await operator.submitDeactivation(ciphertext)
    expect(batches.length).toBe(before + 1)
    return { receipt, shape: diskShape(batches[batches.length - 1]) }
  }

  function sealed(keypair: Keypair, kind: MessageKind, payload: bigint, signer: Keypair = keypair): Uint8Array {
    const message = signMessage(signer, kind, payload)
    // A message "by" keypair signed with another key: the signature does not verify.
    const forged = signer === keypair ? message : { ...message, publicKey: keypair.publicKey }
    return encryptTo(operator.publicParameters().operatorPublicKey, encodeMessage(forged), EncryptionContext.deactivation)
  }

  it('valid, already-deactivated, forged-signature and wrong-kind deactivations look alike', async () => {
    const params = operator.publicParameters()
    const real = await deactivate(makeDeactivation(keys.active, params).ciphertext)
    expect(operator.isActive(keys.active.publicKey)).toBe(false)
    const again = await deactivate(makeDeactivation(keys.active, params).ciphertext)
    const forged = await deactivate(sealed(keys.forged, MessageKind.deactivate, 12345n, generateKeypair()))
    const wrongKind = await deactivate(sealed(keys.wrongKind, MessageKind.vote, 1n))
    // The invalid ones took random leaves: those keys are still active.
    expect(operator.isActive(keys.forged.publicKey)).toBe(true)
    expect(operator.isActive(keys.wrongKind.publicKey)).toBe(true)
    for (const other of [again, forged, wrongKind]) {
      expect(other.shape).toEqual(real.shape)
      expect(Object.keys(other.receipt).sort()).toEqual(Object.keys(real.receipt).sort())
    }
    // One active/<hash> write per deactivation, value one byte, whatever happened.
    expect(real.shape.filter((entry) => entry.startsWith('put active'))).toEqual(['put active 1'])
  })

  it('the receipt index, leaf and root are the public ones, for the real and the random leaves alike', async () => {
    const leaves = operator.leaves(0, operator.status().deactivations)
    const roots = operator.rootHistory()
    expect(leaves).toHaveLength(4)
    expect(roots).toHaveLength(4)
    expect(new Set(leaves).size).toBe(4)
    expect(hashPublicKey(keys.active.publicKey)).not.toBe(0n)
  })
})

describe('attack: read the hello refusal or the outcome off message lengths', () => {
  it('every hello reply, refusal or not, is HELLO_REPLY_BYTES, and both acknowledgements ACKNOWLEDGEMENT_BYTES', () => {
    const nonce = new Uint8Array(32)
    const refusals = ['NULLIFIER_USED', 'LINK_USED', 'UNKNOWN_ROOT', 'BAD_MEMBERSHIP_PROOF', 'MALFORMED', 'IN_PROGRESS'] as const
    for (const refusal of refusals) {
      expect(isHelloRefusal(refusal)).toBe(true)
      expect(encodeHelloReply({ nonce, refusal })).toHaveLength(HELLO_REPLY_BYTES)
    }
    expect(encodeHelloReply({ nonce })).toHaveLength(HELLO_REPLY_BYTES)
    // KEY_MISMATCH can only come at acceptance; the hello gate has no status for it.
    expect(isHelloRefusal('KEY_MISMATCH')).toBe(false)
    expect(encodeAcknowledgement('received')).toHaveLength(ACKNOWLEDGEMENT_BYTES)
    expect(encodeAcknowledgement('refused')).toHaveLength(ACKNOWLEDGEMENT_BYTES)
  })
})

describe('attack: the MACI key derivation swap', () => {
  const zkKitDefault = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon') as typeof import('@zk-kit/eddsa-poseidon')
  const zkKitBlake1 = createRequire(import.meta.url)('@zk-kit/eddsa-poseidon/blake-1') as typeof import('@zk-kit/eddsa-poseidon')
  const decimal = (privateKey: Uint8Array) => BigInt(`0x${Buffer.from(privateKey).toString('hex')}`).toString()

  it('the zk-kit entry keys.ts loads is BLAKE-1, the hash sign() uses: public keys and signatures agree', () => {
    for (let i = 0; i < 4; i++) {
      const keypair = generateKeypair()
      const seed = decimal(keypair.privateKey)
      expect(zkKitDefault.deriveSecretScalar(seed)).toBe(zkKitBlake1.deriveSecretScalar(seed))
      const message = BigInt(i + 7)
      const ours = sign(keypair.privateKey, message)
      const theirs = zkKitBlake1.signMessage(seed, message)
      expect(ours.R8.map(String)).toEqual(theirs.R8.map((v) => String(v)))
      expect(ours.S.toString()).toBe(String(theirs.S))
      expect(verify(keypair.publicKey, message, ours)).toBe(true)
    }
  })

  it('the signing nonce is deterministic, secret-dependent and message-dependent (no R8 reuse)', () => {
    const a = generateKeypair()
    const b = generateKeypair()
    expect(sign(a.privateKey, 5n)).toEqual(sign(a.privateKey, 5n))
    const r8 = [sign(a.privateKey, 5n), sign(a.privateKey, 6n), sign(b.privateKey, 5n)].map((s) => s.R8.join())
    expect(new Set(r8).size).toBe(3)
  })

  const eight = pointOfOrderEight()
  const torsion: CurvePoint[] = Array.from({ length: 8 }, (_, k) => edwardsMul(eight, BigInt(k)))

  it('ECDH still clears the cofactor: a torsion component changes nothing and a small-order key is refused', () => {
    const operatorKey = generateKeypair()
    const peer = generateKeypair().publicKey
    for (const point of torsion) {
      expect(sharedPoint(operatorKey.privateKey, edwardsAdd(peer, point) as PublicKey)).toEqual(sharedPoint(operatorKey.privateKey, peer))
      expect(() => sharedPoint(operatorKey.privateKey, point as PublicKey)).toThrow(KeyError)
    }
  })

  /** zk-kit's packing, written out: y with the top bit set when x > (r - 1) / 2. */
  const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
  const pack = ([x, y]: CurvePoint) => `${PUBLIC_KEY_PREFIX}${(x > (R - 1n) / 2n ? y | (1n << 255n) : y).toString(16)}`

  it('macipk decoding refuses every small-order point and every prime-order key plus torsion', () => {
    const key = generateKeypair().publicKey
    expect(decodePublicKey(encodePublicKey(key))).toEqual(key)
    for (const [k, point] of torsion.entries()) {
      expect(() => decodePublicKey(pack(point))).toThrow(KeyError)
      if (k > 0) expect(() => decodePublicKey(pack(edwardsAdd(key, point)))).toThrow(KeyError)
    }
  })
})
