/**
 * Fixed-key AES as a random permutation pi, and the tweakable circular correlation robust
 * hash built from it:
 *
 *     H(x, t) = pi(pi(x) ^ t) ^ pi(x)
 *
 * Guo, Katz, Wang, Yu, "Efficient and Secure Multiparty Computation from Fixed-Key Block
 * Ciphers", IEEE S&P 2020 (eprint 2019/074, section 7.4). It is what half-gates
 * garbling and the random-OT hashes of IKNP need, with 128-bit computational security, as
 * long as every tweak t is used for one purpose only (the session's tweak counter, see
 * session.ts). The cheaper pi(sigma(x) ^ t) ^ sigma(x) is not tweakable-CR and is avoided.
 *
 * pi is AES-128-ECB from node:crypto (AES-NI) under a public key derived from the session id.
 * It is called once per batch of thousands of blocks, in slices sized for the CPU cache,
 * never once per block.
 */
import { type Cipher, createCipheriv } from 'node:crypto'
import { BLOCK_WORDS, bytesOf, wordsOf } from './words.js'

/** Blocks per cipher call: 64 KiB slices stay in cache and keep AES-NI pipelined. */
const SLICE_BLOCKS = 4096

export class TweakableHash {
  private readonly cipher: Cipher

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('the fixed AES key is 16 bytes')
    this.cipher = createCipheriv('aes-128-ecb', key, null)
    this.cipher.setAutoPadding(false)
  }

  /** pi applied to every block of `blocks` (4 words each), in one cipher call. */
  permute(blocks: Uint32Array): Uint32Array {
    return wordsOf(this.cipher.update(bytesOf(blocks)))
  }

  /**
   * H(x_j, t_{j,l}) for every input block x_j and each of its `lanes` tweaks; the output has
   * `lanes` blocks per input, in the order of `tweaks` (j major, l minor).
   */
  hash(inputs: Uint32Array, tweaks: Uint32Array, lanes = 1): Uint32Array {
    if (tweaks.length !== inputs.length * lanes) throw new RangeError('one tweak per input and lane')
    const sliceWords = Math.max(1, Math.floor(SLICE_BLOCKS / lanes)) * BLOCK_WORDS
    if (inputs.length <= sliceWords) return this.hashSlice(inputs, tweaks, lanes)
    const out = new Uint32Array(tweaks.length)
    for (let start = 0; start < inputs.length; start += sliceWords) {
      const slice = inputs.subarray(start, start + sliceWords)
      out.set(this.hashSlice(slice, tweaks.subarray(start * lanes, (start + slice.length) * lanes), lanes), start * lanes)
    }
    return out
  }

  private hashSlice(inputs: Uint32Array, tweaks: Uint32Array, lanes: number): Uint32Array {
    const permuted = this.permute(inputs)
    const masked = new Uint32Array(tweaks.length)
    for (let j = 0, t = 0; j < permuted.length; j += BLOCK_WORDS) {
      for (let lane = 0; lane < lanes; lane++, t += BLOCK_WORDS) {
        masked[t] = permuted[j] ^ tweaks[t]
        masked[t + 1] = permuted[j + 1] ^ tweaks[t + 1]
        masked[t + 2] = permuted[j + 2] ^ tweaks[t + 2]
        masked[t + 3] = permuted[j + 3] ^ tweaks[t + 3]
      }
    }
    const hashed = this.permute(masked)
    for (let j = 0, t = 0; j < permuted.length; j += BLOCK_WORDS) {
      for (let lane = 0; lane < lanes; lane++, t += BLOCK_WORDS) {
        hashed[t] ^= permuted[j]
        hashed[t + 1] ^= permuted[j + 1]
        hashed[t + 2] ^= permuted[j + 2]
        hashed[t + 3] ^= permuted[j + 3]
      }
    }
    return hashed
  }
}

/**
 * Writes tweak block `index` of `tweaks`: a session tweak counter (below 2^53), a candidate
 * number (for rejection sampling) and a lane (for outputs wider than one block). Distinct
 * triples give distinct blocks.
 */
export function writeTweak(tweaks: Uint32Array, index: number, counter: number, candidate: number, lane: number): void {
  const w = index * BLOCK_WORDS
  tweaks[w] = counter >>> 0
  tweaks[w + 1] = (counter / 0x1_0000_0000) >>> 0
  tweaks[w + 2] = candidate
  tweaks[w + 3] = lane
}
