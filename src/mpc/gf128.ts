/**
 * Arithmetic in GF(2^128) = GF(2)[x] / (x^128 + x^7 + x^2 + x + 1), the field of the KOS15
 * consistency check (ot-extension.ts). The modulus is the one of GCM's GHASH (NIST SP 800-38D,
 * section 6.3, where R = 11100001 || 0^120 is x^128 + x^7 + x^2 + x + 1 in GCM's reflected
 * bit order). Here the bits are not reflected: an element is 4 little-endian 32-bit words and
 * bit k of word w is the coefficient of x^(32w + k), the layout of an IKNP row (bit i = column
 * i), so a row is a field element as it lies in memory.
 *
 * The check needs sum_j chi_j * r_j over a whole batch, which a product per OT would make the
 * dominant cost in JavaScript (no carry-less multiply instruction). innerProduct instead sorts
 * the chi_j into buckets by each byte of r_j and multiplies the 16 x 256 bucket sums by their
 * byte polynomials once per batch: per OT, 16 XORs of a 128-bit value, no multiplication.
 * Nothing here branches on a secret, but the bucket a row's byte selects is a memory access
 * that depends on the row: a cache-timing channel to a process sharing the machine, as for
 * table-based AES, and none to the peer.
 */

/** Words per element. */
export const GF128_WORDS = 4

/** The carry-less product of two 32-bit words, as [low word, high word]. */
function clmul32(a: number, b: number): [number, number] {
  let low = 0
  let high = 0
  for (let k = 0; k < 32; k++) {
    // -(bit) is all ones or zero: the shifted copy of a is added without a branch on b.
    const mask = -((b >>> k) & 1)
    low ^= (a << k) & mask
    if (k > 0) high ^= (a >>> (32 - k)) & mask
  }
  return [low >>> 0, high >>> 0]
}

/** The carry-less product of two elements: 8 words, x^0 .. x^254. */
export function carrylessMultiply(a: Uint32Array, b: Uint32Array): Uint32Array {
  const product = new Uint32Array(2 * GF128_WORDS)
  for (let i = 0; i < GF128_WORDS; i++) {
    for (let j = 0; j < GF128_WORDS; j++) {
      const [low, high] = clmul32(a[i], b[j])
      product[i + j] ^= low
      product[i + j + 1] ^= high
    }
  }
  return product
}

/**
 * An 8-word polynomial reduced modulo x^128 + x^7 + x^2 + x + 1, in place, returned as its
 * low 4 words. x^128 = x^7 + x^2 + x + 1, so word w >= 4 folds onto words w - 4 and w - 3;
 * going down from word 7, what word 7 folds onto word 4 is folded in its turn.
 */
export function reduce(product: Uint32Array): Uint32Array {
  for (let w = 2 * GF128_WORDS - 1; w >= GF128_WORDS; w--) {
    const v = product[w]
    product[w] = 0
    product[w - 4] ^= v ^ (v << 1) ^ (v << 2) ^ (v << 7)
    product[w - 3] ^= (v >>> 31) ^ (v >>> 30) ^ (v >>> 25)
  }
  return product.subarray(0, GF128_WORDS)
}

/** a * b in GF(2^128). */
export function multiply(a: Uint32Array, b: Uint32Array): Uint32Array {
  return Uint32Array.from(reduce(carrylessMultiply(a, b)))
}

/** XORs z * x^shift (z of 4 words, shift < 128) into the 8-word accumulator. */
function xorShifted(accumulator: Uint32Array, z: Uint32Array, at: number, shift: number): void {
  const offset = shift >>> 5
  const bits = shift & 31
  for (let w = 0; w < GF128_WORDS; w++) {
    const v = z[at + w]
    accumulator[offset + w] ^= v << bits
    if (bits !== 0) accumulator[offset + w + 1] ^= v >>> (32 - bits)
  }
}

const BYTES_PER_ELEMENT = 16
/** Bucket sums: for byte position b of r_j and byte value v, the XOR of every chi_j with byte b of r_j = v. */
const BUCKET_WORDS = BYTES_PER_ELEMENT * 256 * GF128_WORDS

/**
 * sum_j chi_j * r_j for j < count (4 words each, chi_j at chis[4j], r_j at rows[4j]).
 *
 * With r_j = sum_b byte_b(r_j) x^(8b), the sum is sum_b x^(8b) sum_v v(x) S_b[v], where
 * S_b[v] is the XOR of the chi_j whose byte b is v; and v(x) S_b[v] = sum_k x^k [bit k of v]
 * S_b[v]. So the loop over the OTs only fills the buckets; the 128 sums Z_(8b+k) of the
 * buckets with bit k set are then shifted by x^(8b+k) and reduced once.
 * Per call the buckets cost about 32,000 word XORs whatever the count (0.05 ms), per OT 64.
 */
export function innerProduct(chis: Uint32Array, rows: Uint32Array, count: number): Uint32Array {
  if (chis.length < GF128_WORDS * count || rows.length < GF128_WORDS * count) throw new RangeError('fewer elements than count')
  const s = new Uint32Array(BUCKET_WORDS)
  for (let j = 0; j < count; j++) {
    const at = GF128_WORDS * j
    const c0 = chis[at]
    const c1 = chis[at + 1]
    const c2 = chis[at + 2]
    const c3 = chis[at + 3]
    for (let w = 0; w < GF128_WORDS; w++) {
      const row = rows[at + w]
      // Bucket of byte b = 4w + k with value v starts at word (256 b + v) * 4.
      let bucket = (((w << 2) << 8) | (row & 0xff)) << 2
      s[bucket] ^= c0; s[bucket + 1] ^= c1; s[bucket + 2] ^= c2; s[bucket + 3] ^= c3
      bucket = ((((w << 2) | 1) << 8) | ((row >>> 8) & 0xff)) << 2
      s[bucket] ^= c0; s[bucket + 1] ^= c1; s[bucket + 2] ^= c2; s[bucket + 3] ^= c3
      bucket = ((((w << 2) | 2) << 8) | ((row >>> 16) & 0xff)) << 2
      s[bucket] ^= c0; s[bucket + 1] ^= c1; s[bucket + 2] ^= c2; s[bucket + 3] ^= c3
      bucket = ((((w << 2) | 3) << 8) | (row >>> 24)) << 2
      s[bucket] ^= c0; s[bucket + 1] ^= c1; s[bucket + 2] ^= c2; s[bucket + 3] ^= c3
    }
  }
  // Z_(8b+k), the XOR of the buckets of byte b whose value has bit k set, by halving: the
  // upper half of the values (bit k set, k the top bit) gives Z_(8b+k) and is folded onto
  // the lower half, which leaves the same problem for the bits below (2 x 255 XORs per byte).
  const z = new Uint32Array(128 * GF128_WORDS)
  for (let b = 0; b < BYTES_PER_ELEMENT; b++) {
    const base = (b << 8) << 2
    for (let k = 7; k >= 0; k--) {
      const half = 1 << k
      const at = (8 * b + k) * GF128_WORDS
      for (let v = 0; v < half; v++) {
        const low = base + (v << 2)
        const high = low + (half << 2)
        for (let w = 0; w < GF128_WORDS; w++) {
          z[at + w] ^= s[high + w]
          s[low + w] ^= s[high + w]
        }
      }
    }
  }
  const accumulator = new Uint32Array(2 * GF128_WORDS)
  for (let i = 0; i < 128; i++) xorShifted(accumulator, z, i * GF128_WORDS, i)
  return Uint32Array.from(reduce(accumulator.subarray(0, 2 * GF128_WORDS)))
}

/** Whether two elements are equal, looking at every word whatever the first difference. */
export function equal(a: Uint32Array, b: Uint32Array): boolean {
  let difference = 0
  for (let w = 0; w < GF128_WORDS; w++) difference |= a[w] ^ b[w]
  return difference === 0
}
