/**
 * MACI's text forms of keys, as @maci-protocol/domainobjs 3.0 writes and reads them
 * (ts/privateKey.ts, ts/publicKey.ts), bit for bit (test/crypto/maci-keys.test.ts, against
 * vectors made by MACI's packages):
 *
 *   macisk.<64 hex digits>  the private key as a big-endian integer in hex, zero-padded to 64
 *     digits (PrivateKey.serialize). MACI's PrivateKey.isValidSerialized wants exactly 64
 *     digits; so does decodePrivateKey, which also wants them to be hex digits.
 *   macipk.<hex>  zk-kit's packPublicKey (@zk-kit/baby-jubjub packPoint): y as 32
 *     little-endian bytes with the top bit set when x is "negative" (x > (r - 1)/2), read back
 *     as a little-endian integer and written in lowercase hex with one 0 prepended to an odd
 *     number of digits and no further padding (PublicKey.serialize), so a key whose packed
 *     form has a leading zero byte has fewer than 64 digits. Unpacking (unpackPoint) takes y
 *     from the low 255 bits, solves the curve equation for x, takes the root <= (r - 1)/2 and
 *     negates it when the top bit is set.
 *
 * decodePublicKey is stricter than MACI's PublicKey.deserialize where MACI's is unsafe or
 * lax: y must be canonical (< r), the digits at most 64, and the point must pass isOnCurve
 * (the prime-order subgroup, not the identity), since a low-order key would let anyone forge
 * signatures by it; MACI checks only the curve equation.
 */
import { Fr } from './field.js'
import { isOnCurve, KeyError, type PublicKey } from './keys.js'

export const PRIVATE_KEY_PREFIX = 'macisk.'
export const PUBLIC_KEY_PREFIX = 'macipk.'

const A = 168700n
const D = 168696n
const HALF = (Fr.ORDER - 1n) / 2n
const SIGN_BIT = 1n << 255n

export function encodePrivateKey(privateKey: Uint8Array): string {
  if (privateKey.length !== 32) throw new KeyError('a private key is 32 bytes')
  return `${PRIVATE_KEY_PREFIX}${Buffer.from(privateKey).toString('hex')}`
}

/** The 32 bytes of a `macisk.` key. The message never repeats the text: it is a secret. */
export function decodePrivateKey(text: string): Uint8Array {
  const body = text.startsWith(PRIVATE_KEY_PREFIX) ? text.slice(PRIVATE_KEY_PREFIX.length) : undefined
  if (body === undefined || !/^[0-9a-fA-F]{64}$/.test(body)) {
    throw new KeyError(`a MACI private key is "${PRIVATE_KEY_PREFIX}" followed by 64 hex digits`)
  }
  return Uint8Array.from(Buffer.from(body, 'hex'))
}

export function encodePublicKey(publicKey: PublicKey): string {
  if (!isOnCurve(publicKey)) throw new KeyError('public key is not on BabyJubJub')
  const [x, y] = publicKey
  const hex = (x > HALF ? y | SIGN_BIT : y).toString(16)
  return `${PUBLIC_KEY_PREFIX}${hex.length % 2 === 0 ? hex : `0${hex}`}`
}

export function decodePublicKey(text: string): PublicKey {
  const body = text.startsWith(PUBLIC_KEY_PREFIX) ? text.slice(PUBLIC_KEY_PREFIX.length) : undefined
  if (body === undefined || !/^[0-9a-fA-F]{1,64}$/.test(body)) {
    throw new KeyError(`a MACI public key is "${PUBLIC_KEY_PREFIX}" followed by at most 64 hex digits`)
  }
  const packed = BigInt(`0x${body}`)
  const y = packed & (SIGN_BIT - 1n)
  if (y >= Fr.ORDER) throw new KeyError('public key is not on BabyJubJub')
  // a·x² + y² = 1 + d·x²·y², so x² = (1 - y²) / (a - d·y²); a - d·y² is never 0, as a/d is not a square.
  const y2 = Fr.sqr(y)
  let x: bigint
  try {
    x = Fr.sqrt(Fr.div(Fr.sub(1n, y2), Fr.sub(A, Fr.mul(D, y2))))
  } catch {
    throw new KeyError('public key is not on BabyJubJub')
  }
  if (x > HALF) x = Fr.neg(x)
  if (packed & SIGN_BIT) x = Fr.neg(x)
  const publicKey: PublicKey = [x, y]
  if (!isOnCurve(publicKey)) throw new KeyError('public key is not in the prime-order subgroup of BabyJubJub')
  return publicKey
}
