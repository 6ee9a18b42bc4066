/**
 * Random-OT messages over F_r: each 128-bit OT key x_j becomes a uniform field element
 * H_F(x_j) by rejection sampling on the tweakable hash. Candidate k is the 256-bit integer
 * H(x_j, (tweak_j, k, lane 0)) || H(x_j, (tweak_j, k, lane 1)); the first candidate below 5r
 * is taken, reduced mod r (each is accepted with probability 5r / 2^256 > 0.94, and [0, 5r)
 * covers F_r exactly five times). Rejecting only above 5r rather than above r saves a fifth
 * of the hashing.
 * The result is exactly uniform given the hash, which the OT corrections need: they are sent
 * masked by one pad the peer cannot compute, and a biased pad would leak the masked value.
 * Rejected candidates are independent of the accepted one, so the number of rounds leaks
 * nothing.
 *
 * All keys are hashed in one batch per round; the few rejected keys go to the next round.
 */
import { FIELD_LIMBS, reduceIfBelowFiveModuli } from './field-limbs.js'
import { type TweakableHash, writeTweak } from './tweakable-hash.js'
import { BLOCK_WORDS } from './words.js'

/** H_F(x_j) for each 4-word key of `keys`, as 8 limbs, with tweak indices firstTweak + j. */
export function hashToFieldLimbs(hash: TweakableHash, keys: Uint32Array, firstTweak: number): Uint32Array {
  const count = keys.length / BLOCK_WORDS
  let pads: Uint32Array | undefined
  let pending = new Int32Array(count)
  for (let j = 0; j < count; j++) pending[j] = j
  let inputs = keys
  for (let candidate = 0; pending.length > 0; candidate++) {
    const tweaks = new Uint32Array(2 * BLOCK_WORDS * pending.length)
    for (let k = 0; k < pending.length; k++) {
      writeTweak(tweaks, 2 * k, firstTweak + pending[k], candidate, 0)
      writeTweak(tweaks, 2 * k + 1, firstTweak + pending[k], candidate, 1)
    }
    const hashed = hash.hash(inputs, tweaks, 2)
    // The first round's output is the result; later rounds patch the rejected entries.
    const out = pads ?? hashed
    let rejected = 0
    for (let k = 0; k < pending.length; k++) {
      const from = FIELD_LIMBS * k
      const j = pending[k]
      if (!reduceIfBelowFiveModuli(hashed, from)) pending[rejected++] = j
      else if (out !== hashed) for (let l = 0; l < FIELD_LIMBS; l++) out[FIELD_LIMBS * j + l] = hashed[from + l]
    }
    pads = out
    pending = pending.subarray(0, rejected)
    inputs = new Uint32Array(BLOCK_WORDS * rejected)
    for (let k = 0; k < rejected; k++) {
      for (let w = 0; w < BLOCK_WORDS; w++) inputs[BLOCK_WORDS * k + w] = keys[BLOCK_WORDS * pending[k] + w]
    }
  }
  return pads ?? new Uint32Array(0)
}
