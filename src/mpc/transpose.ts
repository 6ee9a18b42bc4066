/**
 * The bit-matrix transpose at the heart of IKNP: 128 PRG columns of m bits become m rows of
 * 128 bits (one row per OT). It works on 32x32 blocks of 32-bit words with the recursive
 * swap-halves method (Warren, "Hacker's Delight", 2nd ed., section 7-3), five rounds of
 * masked shifts per block, instead of moving single bits.
 *
 * Bits are LSB-first everywhere: bit c of word w in a column is OT number 32w + c, and bit k
 * of word g in a row is column number 32g + k.
 */

/**
 * Transposes the 32x32 bit block whose row k is src[srcBase + k * srcStride] into
 * dst[dstBase + c * dstStride] (row c of the result = column c of the block). The five
 * swap rounds (shift 16, 8, 4, 2, 1) are unrolled over 32 locals: V8 then keeps the block in
 * registers, which halves the time of a loop over a scratch array.
 */
function transposeBlock(
  src: Uint32Array,
  srcBase: number,
  srcStride: number,
  dst: Uint32Array,
  dstBase: number,
  dstStride: number,
): void {
  let w0 = src[srcBase + 0 * srcStride] | 0
  let w1 = src[srcBase + 1 * srcStride] | 0
  let w2 = src[srcBase + 2 * srcStride] | 0
  let w3 = src[srcBase + 3 * srcStride] | 0
  let w4 = src[srcBase + 4 * srcStride] | 0
  let w5 = src[srcBase + 5 * srcStride] | 0
  let w6 = src[srcBase + 6 * srcStride] | 0
  let w7 = src[srcBase + 7 * srcStride] | 0
  let w8 = src[srcBase + 8 * srcStride] | 0
  let w9 = src[srcBase + 9 * srcStride] | 0
  let w10 = src[srcBase + 10 * srcStride] | 0
  let w11 = src[srcBase + 11 * srcStride] | 0
  let w12 = src[srcBase + 12 * srcStride] | 0
  let w13 = src[srcBase + 13 * srcStride] | 0
  let w14 = src[srcBase + 14 * srcStride] | 0
  let w15 = src[srcBase + 15 * srcStride] | 0
  let w16 = src[srcBase + 16 * srcStride] | 0
  let w17 = src[srcBase + 17 * srcStride] | 0
  let w18 = src[srcBase + 18 * srcStride] | 0
  let w19 = src[srcBase + 19 * srcStride] | 0
  let w20 = src[srcBase + 20 * srcStride] | 0
  let w21 = src[srcBase + 21 * srcStride] | 0
  let w22 = src[srcBase + 22 * srcStride] | 0
  let w23 = src[srcBase + 23 * srcStride] | 0
  let w24 = src[srcBase + 24 * srcStride] | 0
  let w25 = src[srcBase + 25 * srcStride] | 0
  let w26 = src[srcBase + 26 * srcStride] | 0
  let w27 = src[srcBase + 27 * srcStride] | 0
  let w28 = src[srcBase + 28 * srcStride] | 0
  let w29 = src[srcBase + 29 * srcStride] | 0
  let w30 = src[srcBase + 30 * srcStride] | 0
  let w31 = src[srcBase + 31 * srcStride] | 0
  let t: number
  t = ((w0 >>> 16) ^ w16) & 0x0000ffff; w0 ^= t << 16; w16 ^= t
  t = ((w1 >>> 16) ^ w17) & 0x0000ffff; w1 ^= t << 16; w17 ^= t
  t = ((w2 >>> 16) ^ w18) & 0x0000ffff; w2 ^= t << 16; w18 ^= t
  t = ((w3 >>> 16) ^ w19) & 0x0000ffff; w3 ^= t << 16; w19 ^= t
  t = ((w4 >>> 16) ^ w20) & 0x0000ffff; w4 ^= t << 16; w20 ^= t
  t = ((w5 >>> 16) ^ w21) & 0x0000ffff; w5 ^= t << 16; w21 ^= t
  t = ((w6 >>> 16) ^ w22) & 0x0000ffff; w6 ^= t << 16; w22 ^= t
  t = ((w7 >>> 16) ^ w23) & 0x0000ffff; w7 ^= t << 16; w23 ^= t
  t = ((w8 >>> 16) ^ w24) & 0x0000ffff; w8 ^= t << 16; w24 ^= t
  t = ((w9 >>> 16) ^ w25) & 0x0000ffff; w9 ^= t << 16; w25 ^= t
  t = ((w10 >>> 16) ^ w26) & 0x0000ffff; w10 ^= t << 16; w26 ^= t
  t = ((w11 >>> 16) ^ w27) & 0x0000ffff; w11 ^= t << 16; w27 ^= t
  t = ((w12 >>> 16) ^ w28) & 0x0000ffff; w12 ^= t << 16; w28 ^= t
  t = ((w13 >>> 16) ^ w29) & 0x0000ffff; w13 ^= t << 16; w29 ^= t
  t = ((w14 >>> 16) ^ w30) & 0x0000ffff; w14 ^= t << 16; w30 ^= t
  t = ((w15 >>> 16) ^ w31) & 0x0000ffff; w15 ^= t << 16; w31 ^= t
  t = ((w0 >>> 8) ^ w8) & 0x00ff00ff; w0 ^= t << 8; w8 ^= t
  t = ((w1 >>> 8) ^ w9) & 0x00ff00ff; w1 ^= t << 8; w9 ^= t
  t = ((w2 >>> 8) ^ w10) & 0x00ff00ff; w2 ^= t << 8; w10 ^= t
  t = ((w3 >>> 8) ^ w11) & 0x00ff00ff; w3 ^= t << 8; w11 ^= t
  t = ((w4 >>> 8) ^ w12) & 0x00ff00ff; w4 ^= t << 8; w12 ^= t
  t = ((w5 >>> 8) ^ w13) & 0x00ff00ff; w5 ^= t << 8; w13 ^= t
  t = ((w6 >>> 8) ^ w14) & 0x00ff00ff; w6 ^= t << 8; w14 ^= t
  t = ((w7 >>> 8) ^ w15) & 0x00ff00ff; w7 ^= t << 8; w15 ^= t
  t = ((w16 >>> 8) ^ w24) & 0x00ff00ff; w16 ^= t << 8; w24 ^= t
  t = ((w17 >>> 8) ^ w25) & 0x00ff00ff; w17 ^= t << 8; w25 ^= t
  t = ((w18 >>> 8) ^ w26) & 0x00ff00ff; w18 ^= t << 8; w26 ^= t
  t = ((w19 >>> 8) ^ w27) & 0x00ff00ff; w19 ^= t << 8; w27 ^= t
  t = ((w20 >>> 8) ^ w28) & 0x00ff00ff; w20 ^= t << 8; w28 ^= t
  t = ((w21 >>> 8) ^ w29) & 0x00ff00ff; w21 ^= t << 8; w29 ^= t
  t = ((w22 >>> 8) ^ w30) & 0x00ff00ff; w22 ^= t << 8; w30 ^= t
  t = ((w23 >>> 8) ^ w31) & 0x00ff00ff; w23 ^= t << 8; w31 ^= t
  t = ((w0 >>> 4) ^ w4) & 0x0f0f0f0f; w0 ^= t << 4; w4 ^= t
  t = ((w1 >>> 4) ^ w5) & 0x0f0f0f0f; w1 ^= t << 4; w5 ^= t
  t = ((w2 >>> 4) ^ w6) & 0x0f0f0f0f; w2 ^= t << 4; w6 ^= t
  t = ((w3 >>> 4) ^ w7) & 0x0f0f0f0f; w3 ^= t << 4; w7 ^= t
  t = ((w8 >>> 4) ^ w12) & 0x0f0f0f0f; w8 ^= t << 4; w12 ^= t
  t = ((w9 >>> 4) ^ w13) & 0x0f0f0f0f; w9 ^= t << 4; w13 ^= t
  t = ((w10 >>> 4) ^ w14) & 0x0f0f0f0f; w10 ^= t << 4; w14 ^= t
  t = ((w11 >>> 4) ^ w15) & 0x0f0f0f0f; w11 ^= t << 4; w15 ^= t
  t = ((w16 >>> 4) ^ w20) & 0x0f0f0f0f; w16 ^= t << 4; w20 ^= t
  t = ((w17 >>> 4) ^ w21) & 0x0f0f0f0f; w17 ^= t << 4; w21 ^= t
  t = ((w18 >>> 4) ^ w22) & 0x0f0f0f0f; w18 ^= t << 4; w22 ^= t
  t = ((w19 >>> 4) ^ w23) & 0x0f0f0f0f; w19 ^= t << 4; w23 ^= t
  t = ((w24 >>> 4) ^ w28) & 0x0f0f0f0f; w24 ^= t << 4; w28 ^= t
  t = ((w25 >>> 4) ^ w29) & 0x0f0f0f0f; w25 ^= t << 4; w29 ^= t
  t = ((w26 >>> 4) ^ w30) & 0x0f0f0f0f; w26 ^= t << 4; w30 ^= t
  t = ((w27 >>> 4) ^ w31) & 0x0f0f0f0f; w27 ^= t << 4; w31 ^= t
  t = ((w0 >>> 2) ^ w2) & 0x33333333; w0 ^= t << 2; w2 ^= t
  t = ((w1 >>> 2) ^ w3) & 0x33333333; w1 ^= t << 2; w3 ^= t
  t = ((w4 >>> 2) ^ w6) & 0x33333333; w4 ^= t << 2; w6 ^= t
  t = ((w5 >>> 2) ^ w7) & 0x33333333; w5 ^= t << 2; w7 ^= t
  t = ((w8 >>> 2) ^ w10) & 0x33333333; w8 ^= t << 2; w10 ^= t
  t = ((w9 >>> 2) ^ w11) & 0x33333333; w9 ^= t << 2; w11 ^= t
  t = ((w12 >>> 2) ^ w14) & 0x33333333; w12 ^= t << 2; w14 ^= t
  t = ((w13 >>> 2) ^ w15) & 0x33333333; w13 ^= t << 2; w15 ^= t
  t = ((w16 >>> 2) ^ w18) & 0x33333333; w16 ^= t << 2; w18 ^= t
  t = ((w17 >>> 2) ^ w19) & 0x33333333; w17 ^= t << 2; w19 ^= t
  t = ((w20 >>> 2) ^ w22) & 0x33333333; w20 ^= t << 2; w22 ^= t
  t = ((w21 >>> 2) ^ w23) & 0x33333333; w21 ^= t << 2; w23 ^= t
  t = ((w24 >>> 2) ^ w26) & 0x33333333; w24 ^= t << 2; w26 ^= t
  t = ((w25 >>> 2) ^ w27) & 0x33333333; w25 ^= t << 2; w27 ^= t
  t = ((w28 >>> 2) ^ w30) & 0x33333333; w28 ^= t << 2; w30 ^= t
  t = ((w29 >>> 2) ^ w31) & 0x33333333; w29 ^= t << 2; w31 ^= t
  t = ((w0 >>> 1) ^ w1) & 0x55555555; w0 ^= t << 1; w1 ^= t
  t = ((w2 >>> 1) ^ w3) & 0x55555555; w2 ^= t << 1; w3 ^= t
  t = ((w4 >>> 1) ^ w5) & 0x55555555; w4 ^= t << 1; w5 ^= t
  t = ((w6 >>> 1) ^ w7) & 0x55555555; w6 ^= t << 1; w7 ^= t
  t = ((w8 >>> 1) ^ w9) & 0x55555555; w8 ^= t << 1; w9 ^= t
  t = ((w10 >>> 1) ^ w11) & 0x55555555; w10 ^= t << 1; w11 ^= t
  t = ((w12 >>> 1) ^ w13) & 0x55555555; w12 ^= t << 1; w13 ^= t
  t = ((w14 >>> 1) ^ w15) & 0x55555555; w14 ^= t << 1; w15 ^= t
  t = ((w16 >>> 1) ^ w17) & 0x55555555; w16 ^= t << 1; w17 ^= t
  t = ((w18 >>> 1) ^ w19) & 0x55555555; w18 ^= t << 1; w19 ^= t
  t = ((w20 >>> 1) ^ w21) & 0x55555555; w20 ^= t << 1; w21 ^= t
  t = ((w22 >>> 1) ^ w23) & 0x55555555; w22 ^= t << 1; w23 ^= t
  t = ((w24 >>> 1) ^ w25) & 0x55555555; w24 ^= t << 1; w25 ^= t
  t = ((w26 >>> 1) ^ w27) & 0x55555555; w26 ^= t << 1; w27 ^= t
  t = ((w28 >>> 1) ^ w29) & 0x55555555; w28 ^= t << 1; w29 ^= t
  t = ((w30 >>> 1) ^ w31) & 0x55555555; w30 ^= t << 1; w31 ^= t
  dst[dstBase + 0 * dstStride] = w0
  dst[dstBase + 1 * dstStride] = w1
  dst[dstBase + 2 * dstStride] = w2
  dst[dstBase + 3 * dstStride] = w3
  dst[dstBase + 4 * dstStride] = w4
  dst[dstBase + 5 * dstStride] = w5
  dst[dstBase + 6 * dstStride] = w6
  dst[dstBase + 7 * dstStride] = w7
  dst[dstBase + 8 * dstStride] = w8
  dst[dstBase + 9 * dstStride] = w9
  dst[dstBase + 10 * dstStride] = w10
  dst[dstBase + 11 * dstStride] = w11
  dst[dstBase + 12 * dstStride] = w12
  dst[dstBase + 13 * dstStride] = w13
  dst[dstBase + 14 * dstStride] = w14
  dst[dstBase + 15 * dstStride] = w15
  dst[dstBase + 16 * dstStride] = w16
  dst[dstBase + 17 * dstStride] = w17
  dst[dstBase + 18 * dstStride] = w18
  dst[dstBase + 19 * dstStride] = w19
  dst[dstBase + 20 * dstStride] = w20
  dst[dstBase + 21 * dstStride] = w21
  dst[dstBase + 22 * dstStride] = w22
  dst[dstBase + 23 * dstStride] = w23
  dst[dstBase + 24 * dstStride] = w24
  dst[dstBase + 25 * dstStride] = w25
  dst[dstBase + 26 * dstStride] = w26
  dst[dstBase + 27 * dstStride] = w27
  dst[dstBase + 28 * dstStride] = w28
  dst[dstBase + 29 * dstStride] = w29
  dst[dstBase + 30 * dstStride] = w30
  dst[dstBase + 31 * dstStride] = w31
}

/**
 * `columns` holds 128 columns of `columnWords` words each (column i at i * columnWords).
 * Returns 32 * columnWords rows of 4 words (row j at 4j). The loop runs over 32-OT slices
 * first, so the 512 output bytes of a slice are written together.
 */
export function transpose128(columns: Uint32Array, columnWords: number): Uint32Array {
  if (columns.length !== 128 * columnWords) throw new RangeError('expected 128 columns')
  const rows = new Uint32Array(columnWords * 32 * 4)
  for (let word = 0; word < columnWords; word++) {
    for (let group = 0; group < 4; group++) {
      transposeBlock(columns, 32 * group * columnWords + word, columnWords, rows, 128 * word + group, 4)
    }
  }
  return rows
}
