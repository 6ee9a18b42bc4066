/**
 * The pseudorandom generator that stretches each IKNP base-OT seed: AES-128 in counter mode
 * keyed by the 16-byte seed, counter starting at zero (the standard block-cipher PRG,
 * G(s) = AES_s(0) || AES_s(1) || ...). One node:crypto cipher per seed keeps its position,
 * so successive calls continue the stream, and each call covers a whole OT-extension batch.
 */
import { type Cipher, createCipheriv } from 'node:crypto'

/** Shared all-zero input: encrypting zeros yields the key stream, without a fresh buffer per call. */
let zeros = new Uint8Array(0)

export class AesCtrPrg {
  private readonly cipher: Cipher

  constructor(seed: Uint8Array) {
    if (seed.length !== 16) throw new RangeError('a PRG seed is 16 bytes')
    this.cipher = createCipheriv('aes-128-ctr', seed, new Uint8Array(16))
  }

  /** The next `byteLength` bytes of the stream. */
  next(byteLength: number): Uint8Array {
    if (zeros.length < byteLength) zeros = new Uint8Array(byteLength)
    return this.cipher.update(zeros.subarray(0, byteLength))
  }

  /** `data` XOR the next data.length bytes of the stream (counter-mode encryption). */
  mask(data: Uint8Array): Uint8Array {
    return this.cipher.update(data)
  }
}
