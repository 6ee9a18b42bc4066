/**
 * Circuit gadgets that only the tests garble, over little-endian bit vectors (bit 0 first),
 * each with the fewest AND gates known for it under free-XOR:
 * - addition: ripple carry with the one-AND majority c' = c ^ ((a ^ c) & (b ^ c)), n ANDs;
 * - comparison a < b: the borrow chain of a - b with the same one-AND majority, n ANDs.
 * They are those of Kolesnikov, Sadeghi, Schneider, "Improved Garbled Circuit Building Blocks
 * and Applications to Auctions and Computing Minima", CANS 2009. Equality, which the product
 * uses, is in src/mpc/garbled/equality.ts.
 */
import type { CircuitBuilder, Wire } from '../../../src/mpc/garbled/circuit.js'

function assertSameWidth(a: readonly Wire[], b: readonly Wire[]): void {
  if (a.length !== b.length || a.length === 0) throw new RangeError('operands need the same, nonzero width')
}

/** maj(x, y, z) with one AND: ((x ^ z) & (y ^ z)) ^ z. */
function majority(builder: CircuitBuilder, x: Wire, y: Wire, z: Wire): Wire {
  return builder.xor(builder.and(builder.xor(x, z), builder.xor(y, z)), z)
}

/** a + b as n + 1 bits (the last is the carry out). */
export function add(builder: CircuitBuilder, a: readonly Wire[], b: readonly Wire[]): Wire[] {
  assertSameWidth(a, b)
  const sum = [builder.xor(a[0], b[0])]
  let carry = builder.and(a[0], b[0])
  for (let i = 1; i < a.length; i++) {
    sum.push(builder.xor(builder.xor(a[i], b[i]), carry))
    carry = majority(builder, a[i], b[i], carry)
  }
  return [...sum, carry]
}

/** 1 when a < b (unsigned): the borrow out of a - b, borrow' = maj(not a, b, borrow). */
export function lessThan(builder: CircuitBuilder, a: readonly Wire[], b: readonly Wire[]): Wire {
  assertSameWidth(a, b)
  let borrow = builder.and(builder.not(a[0]), b[0])
  for (let i = 1; i < a.length; i++) borrow = majority(builder, builder.not(a[i]), b[i], borrow)
  return borrow
}
