/**
 * Public keys outside BabyJubJub's prime-order subgroup (issue 14). The curve has cofactor 8,
 * so its torsion points have order 1, 2, 4 or 8; only the identity and the order-2 point
 * have x = 0, which a cheap early check already rejects. Every other one, and every
 * prime-order point plus a torsion point ("mixed torsion"), can only be refused by the
 * subgroup check itself, so these keys are what tests it.
 */
import { describe, expect, it } from 'vitest'
import { encryptTo } from '../../src/crypto/encryption.js'
import { generateKeypair, isOnCurve, KeyError, publicKeyFromString, publicKeyToString, sharedPoint, verify, verifyUnderAdmittedKey, type PublicKey } from '../../src/crypto/keys.js'
import { encodeMessage, MessageKind } from '../../src/crypto/signed-message.js'
import { openMessage } from '../../src/core/message-opening.js'
import { EncryptionContext, MessageRefused } from '../../src/core/messages.js'
import { Operator } from '../../src/daemon/operator.js'
import { freshOperator } from '../operator/helpers.js'
import { edwardsAdd, edwardsMul, pointOfOrderEight, R, randomField, SUBORDER, type CurvePoint } from './helpers.js'

const A = 168700n
const D = 168696n
const onCurveEquation = ([x, y]: CurvePoint) => (A * x * x + y * y - 1n - D * x * x * y * y) % R === 0n

/** circomlib's Base8, the generator of the prime-order subgroup. */
const BASE8: CurvePoint = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
]
const eight = pointOfOrderEight()
/** k * T for the generator T of the torsion group, k = 0 .. 7: the identity at 0, order 2 at 4, order 4 at 2 and 6. */
const torsion = Array.from({ length: 8 }, (_, k) => edwardsMul(eight, BigInt(k)))
const orderOf = (point: CurvePoint) => [1n, 2n, 4n, 8n].find((n) => edwardsMul(point, n).join() === '0,1')

describe('small-order and mixed-torsion public keys', () => {
  it('the torsion points are what the test needs: orders 1, 2, 4 and 8, and x != 0 from order 4 on', () => {
    expect(torsion.map(orderOf)).toEqual([1n, 8n, 4n, 8n, 2n, 8n, 4n, 8n])
    for (const point of torsion) expect(onCurveEquation(point)).toBe(true)
    expect(torsion.filter(([x]) => x !== 0n)).toHaveLength(6)
  })

  it('isOnCurve refuses every torsion point, the order 4 and 8 ones included', () => {
    for (const point of torsion) expect(isOnCurve(point), `order ${orderOf(point)}: ${point.join(':')}`).toBe(false)
  })

  it('isOnCurve refuses a prime-order key plus any non-trivial torsion point, and accepts the key itself', () => {
    const { publicKey } = generateKeypair()
    expect(isOnCurve(publicKey)).toBe(true)
    expect(edwardsMul(publicKey, SUBORDER)).toEqual([0n, 1n])
    for (const point of torsion.slice(1)) {
      const mixed = edwardsAdd(publicKey, point)
      expect(onCurveEquation(mixed)).toBe(true)
      expect(mixed[0]).not.toBe(0n)
      expect(isOnCurve(mixed), `key + order ${orderOf(point)}`).toBe(false)
    }
  })

  it('answers the same on a second look: the cache admits checked keys only', () => {
    const { publicKey } = generateKeypair()
    const mixed = edwardsAdd(publicKey, torsion[1])
    for (let look = 0; look < 2; look++) {
      expect(isOnCurve(publicKey)).toBe(true)
      expect(isOnCurve(mixed)).toBe(false)
    }
  })

  it('refuses coordinates equal to the modulus, which reduce to the identity or a torsion point', () => {
    for (const key of [[R, 1n], [R, R - 1n], [torsion[2][0], R], [0n, R + 1n]] as PublicKey[]) expect(isOnCurve(key)).toBe(false)
  })

  it('a forgery that works under any key of order up to 8 is refused, however the key is given', () => {
    // With 8 * A the identity, S * B8 = R8 + 8 * h * A holds for R8 = S * B8 and every message.
    expect(edwardsMul(BASE8, SUBORDER)).toEqual([0n, 1n])
    const S = randomField() % SUBORDER
    const forged = { R8: edwardsMul(BASE8, S), S }
    for (const point of torsion) {
      expect(verify(point, randomField(), forged)).toBe(false)
      expect(() => publicKeyFromString(publicKeyToString(point))).toThrow(KeyError)
    }
  })

  it('verifyUnderAdmittedKey takes that forgery under a torsion key for some messages: only a key admitted by isOnCurve makes its verdict mean anything', () => {
    // It reduces 8 * hm mod l, which keeps a torsion part: the forgery holds when
    // (8 * hm mod l) * A is the identity, for about 1 message in the key's order.
    const S = randomField() % SUBORDER
    const forged = { R8: edwardsMul(BASE8, S), S }
    for (const point of torsion.filter(([x]) => x !== 0n)) {
      const message = Array.from({ length: 200 }, randomField).find((candidate) => verifyUnderAdmittedKey(point, candidate, forged))
      expect(message, `order ${orderOf(point)}`).toBeDefined()
      expect(verify(point, message!, forged)).toBe(false)
    }
    // Under a key in the subgroup the forgery fails.
    const { publicKey } = generateKeypair()
    expect(Array.from({ length: 50 }, randomField).some((message) => verifyUnderAdmittedKey(publicKey, message, forged))).toBe(false)
  })

  it('a deactivation under a torsion key whose forgery opens as "valid" is still refused by the operator as an unknown key, recording nothing', async () => {
    const { operator, cleanup } = await freshOperator()
    try {
      const privateKey = (operator as unknown as { privateKey: Uint8Array }).privateKey
      const S = randomField() % SUBORDER
      const forge = () =>
        encryptTo(
          operator.publicParameters().operatorPublicKey,
          encodeMessage({ kind: MessageKind.deactivate, publicKey: torsion[1], payload: randomField(), nonce: randomField(), signature: { R8: edwardsMul(BASE8, S), S } }),
          EncryptionContext.deactivation,
        )
      const ciphertext = Array.from({ length: 200 }, forge).find((candidate) => openMessage(privateKey, candidate, EncryptionContext.deactivation, true)?.signatureValid)
      expect(ciphertext).toBeDefined()
      const refusal = await operator.submitDeactivation(ciphertext!).catch((caught: unknown) => caught)
      expect(refusal).toBeInstanceOf(MessageRefused)
      expect(refusal).toMatchObject({ code: 'UNKNOWN_KEY' })
      expect(operator.status()).toMatchObject({ deactivations: 0 })
    } finally {
      await cleanup()
    }
  })

  it('the operator refuses to sign up a small-order or mixed-torsion key', async () => {
    const { operator, cleanup } = await freshOperator()
    try {
      const mixed = edwardsAdd(generateKeypair().publicKey, torsion[3])
      for (const key of [torsion[1], torsion[2], mixed]) {
        await expect(operator.signup(key)).rejects.toThrow(/not on BabyJubJub/)
      }
      expect(operator.status().signups).toBe(0)
      expect(operator).toBeInstanceOf(Operator)
    } finally {
      await cleanup()
    }
  })

  it('ECDH ignores the torsion part of a mixed key and refuses every small-order key', () => {
    const { privateKey } = generateKeypair()
    const peer = generateKeypair().publicKey
    for (const point of torsion) {
      expect(sharedPoint(privateKey, edwardsAdd(peer, point))).toEqual(sharedPoint(privateKey, peer))
      expect(() => sharedPoint(privateKey, point)).toThrow(/small order/)
    }
  })
})
