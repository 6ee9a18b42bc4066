/**
 * Circuit gadgets over little-endian bit vectors (bit 0 first), each with the fewest AND
 * gates known for it under free-XOR:
 * - equality: XNOR per bit, then a balanced AND tree: n - 1 ANDs, depth ceil(log2 n);
 * - addition: ripple carry with the one-AND majority c' = c ^ ((a ^ c) & (b ^ c)), n ANDs;
 * - comparison a < b: the borrow chain of a - b with the same one-AND majority, n ANDs.
 * The adder and comparator are those of Kolesnikov, Sadeghi, Schneider, "Improved Garbled
 * Circuit Building Blocks and Applications to Auctions and Computing Minima", CANS 2009.
 */
import type { CircuitBuilder, Wire } from './circuit.js'

function assertSameWidth(a: readonly Wire[], b: readonly Wire[]): void {
  if (a.length !== b.length || a.length === 0) throw new RangeError('operands need the same, nonzero width')
}

/** 1 when a == b. */
export function equal(builder: CircuitBuilder, a: readonly Wire[], b: readonly Wire[]): Wire {
  assertSameWidth(a, b)
  let level = a.map((ai, i) => builder.not(builder.xor(ai, b[i])))
  while (level.length > 1) {
    const next: Wire[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(builder.and(level[i], level[i + 1]))
    if (level.length % 2 === 1) next.push(level[level.length - 1])
    level = next
  }
  return level[0]
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
