/**
 * Field elements as eight little-endian 32-bit limbs in a Uint32Array, for the inner loops
 * of OT multiplication. There every OT needs a few additions mod r and no multiplication,
 * and a JS bigint costs an allocation per operation while limbs in a typed array cost a
 * handful of integer instructions. Bigints are built once per product, at the end.
 *
 * The reductions are branch-free: the quotient floor(x / r) is read off the top limb by
 * comparisons summed as numbers, then k * r is subtracted. Their conditions depend on
 * uniformly random data, so branches would be mispredicted about half the time, which
 * tripled the cost per OT.
 */
import { Fr } from '../crypto/field.js'

export const FIELD_LIMBS = 8

const TOP = FIELD_LIMBS - 1
const TWO_TO_MINUS_32 = 2 ** -32
/** k * r for k = 0..5, 8 limbs each: 5r < 2^256 <= 6r. */
const MULTIPLES = new Uint32Array(6 * FIELD_LIMBS)
for (let k = 0; k <= 5; k++) limbsFromBigint(BigInt(k) * Fr.ORDER, MULTIPLES, k * FIELD_LIMBS)
const MODULUS = MULTIPLES.subarray(FIELD_LIMBS, 2 * FIELD_LIMBS)
const TOP_1R = MULTIPLES[2 * FIELD_LIMBS - 1]
const TOP_2R = MULTIPLES[3 * FIELD_LIMBS - 1]
const TOP_3R = MULTIPLES[4 * FIELD_LIMBS - 1]
const TOP_4R = MULTIPLES[5 * FIELD_LIMBS - 1]
const TOP_5R = MULTIPLES[6 * FIELD_LIMBS - 1]

export function limbsFromBigint(value: bigint, out: Uint32Array, offset: number): void {
  let rest = value
  for (let i = 0; i < FIELD_LIMBS; i++) {
    out[offset + i] = Number(rest & 0xffffffffn)
    rest >>= 32n
  }
}

/** The integer sum_i words[offset + i] * 2^(32 i); the words may be any non-negative numbers. */
export function bigintFromLimbs(words: ArrayLike<number>, offset: number): bigint {
  let value = 0n
  for (let i = TOP; i >= 0; i--) value = (value << 32n) + BigInt(words[offset + i])
  return value
}

/** Whether x < k * r, for x at `offset` of `words`. */
function isBelowMultiple(words: Uint32Array, offset: number, k: number): boolean {
  const base = k * FIELD_LIMBS
  for (let i = TOP; i >= 0; i--) {
    const word = words[offset + i]
    const bound = MULTIPLES[base + i]
    if (word !== bound) return word < bound
  }
  return false
}

export function isBelowModulus(words: Uint32Array, offset: number): boolean {
  return isBelowMultiple(words, offset, 1)
}

/** x = x - k * r in place; the caller knows x >= k * r. */
function subtractMultiple(x: Uint32Array, offset: number, k: number): void {
  const base = k * FIELD_LIMBS
  let borrow = 0
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const difference = x[offset + i] - MULTIPLES[base + i] - borrow
    x[offset + i] = difference
    borrow = +(difference < 0)
  }
}

/**
 * For a 256-bit x: if x < 5r, replaces x by x mod r and returns true; otherwise returns
 * false. [0, 5r) maps 5-to-1 onto [0, r), so a uniform x accepted here gives a uniform
 * element, with acceptance 5r / 2^256 > 0.94. The top limb decides k = floor(x / r) unless
 * it equals the top limb of a multiple (probability about 2^-30), which takes the full
 * comparison.
 */
export function reduceIfBelowFiveModuli(x: Uint32Array, offset: number): boolean {
  const top = x[offset + TOP]
  let k: number
  if (top === TOP_1R || top === TOP_2R || top === TOP_3R || top === TOP_4R || top === TOP_5R) {
    k = 0
    while (k < 5 && !isBelowMultiple(x, offset, k + 1)) k++
  } else {
    k = +(top > TOP_1R) + +(top > TOP_2R) + +(top > TOP_3R) + +(top > TOP_4R) + +(top > TOP_5R)
  }
  if (k === 5) return false
  subtractMultiple(x, offset, k)
  return true
}

/**
 * out = p0 - p1 + c mod r, for p0, p1, c < r: the OT-multiplication correction. One pass
 * forms p0 + c + r - p1, which lies in (0, 3r), with a signed carry; one subtraction of
 * floor(. / r) * r reduces it.
 */
export function writeCorrection(
  out: Uint32Array,
  outOffset: number,
  p0: Uint32Array,
  p1: Uint32Array,
  padOffset: number,
  c: Uint32Array,
): void {
  let carry = 0
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const sum = p0[padOffset + i] + c[i] + MODULUS[i] - p1[padOffset + i] + carry
    out[outOffset + i] = sum
    carry = Math.floor(sum * TWO_TO_MINUS_32)
  }
  reduceIfBelowFiveModuli(out, outOffset)
}

/** x = 2x mod r in place, for x < r: the doubling that steps a * 2^i to a * 2^(i+1). */
export function doubleModInPlace(x: Uint32Array, offset: number): void {
  let carry = 0
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const word = x[offset + i]
    x[offset + i] = (word << 1) | carry
    carry = word >>> 31
  }
  reduceIfBelowFiveModuli(x, offset)
}
