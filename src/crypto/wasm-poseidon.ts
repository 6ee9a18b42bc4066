/**
 * The Poseidon permutation over BN254 (Grassi et al., "Poseidon: A New Hash Function for
 * Zero-Knowledge Proof Systems", USENIX Security 2021, eprint 2019/458) in WebAssembly:
 * a field multiplication there costs a fraction of a BigInt multiply-and-reduce and
 * allocates nothing, and a hash is some 600 (t = 3) to 1,500 (t = 7) of them.
 *
 * The evaluation is the paper's Appendix B ("equivalent representation") as circomlib's
 * `PoseidonEx` template (circuits/poseidon.circom) computes it, with its constants
 * POSEIDON_C, POSEIDON_S, POSEIDON_M, POSEIDON_P (circuits/poseidon_constants.circom, copied
 * by scripts/generate-poseidon-constants.ts into ./poseidon-constants.ts):
 *
 *   ark(0); 3 x [sigma on all, ark, mix M]; sigma on all, ark, mix P;
 *   nRoundsP x [sigma on state[0], + C on state[0], mixS(r)];
 *   3 x [sigma on all, ark, mix M]; sigma on all; mixLast (column 0 of M).
 *
 * A partial round thus adds one constant and applies a sparse matrix (2t - 1 entries), so
 * it costs 2t + 2 multiplications instead of the t^2 + 3 of the plain round structure.
 *
 * The field arithmetic is this module's own (see defineField), not ./wasm-field.ts's: nine
 * 29-bit limbs let a multiplication skip most carry handling, and a mix row is one inner
 * product with a single reduction; together 1.5 to 2 times the speed of the same rounds on
 * wasmcurves' 32-bit-limb `frm_mul`. Dropping wasmcurves' field also drops its build cost
 * (tens of milliseconds of BigInt primality testing and square-root setup), which every
 * process that hashes would pay.
 *
 * One module holds every width t = 2..7 (1 to 6 inputs). The constants are converted to
 * Montgomery form in JS when the module is built and copied into its memory; the state lives
 * in fixed words, so a hash is: write the inputs, one call, read the output. `hashPath`
 * climbs a whole Merkle path of 2-input hashes in one call, so an insert into a depth-20
 * tree crosses the JS/wasm boundary once instead of twenty times. The module is built on
 * first use, once per thread (a worker gets its own).
 */
import { ModuleBuilder, type CodeBuilder, type FunctionBuilder } from 'wasmbuilder'
import { Fr } from './field.js'
import { FULL_ROUNDS, POSEIDON_CONSTANTS_HEX } from './poseidon-constants.js'
import { memoryView, readCanonical, writeCanonical } from './wasm-memory.js'

/** The widest state: 6 inputs and the capacity word. */
export const MAX_WIDTH = 7
/** The deepest Merkle path `hashPath` climbs (IncrementalMerkleTree's limit). */
export const MAX_PATH_DEPTH = 32

const HALF_FULL_ROUNDS = FULL_ROUNDS / 2
const p = Fr.ORDER
/** Limbs per element and bits per limb: 9 x 29 = 261 bits, so R = 2^261 > 4p. */
const LIMBS = 9
const LIMB_BITS = 29
const LIMB_MASK = (1 << LIMB_BITS) - 1
/** One element in memory: its limbs as 32-bit words. */
const E = 4 * LIMBS
const R = 1n << BigInt(LIMBS * LIMB_BITS)
/** -p^-1 mod 2^29, the multiplier that clears one limb per reduction step. */
const MU = Number((R - modInverse(p, R)) & BigInt(LIMB_MASK))
const PAGE_BYTES = 65536

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}

/** Values (below 2^261) as consecutive elements: 29-bit limbs, least significant first. */
function limbBytes(values: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * E)
  const view = new DataView(bytes.buffer)
  values.forEach((value, i) => {
    for (let j = 0; j < LIMBS; j++) view.setUint32(i * E + 4 * j, Number((value >> BigInt(LIMB_BITS * j)) & BigInt(LIMB_MASK)), true)
  })
  return bytes
}

/** One table of poseidon-constants.ts in Montgomery form (x R mod p), optionally transposed. */
function montgomeryTable(hex: string, transposeWidth?: number): Uint8Array {
  let values = hex
    .trim()
    .split('\n')
    .map((line) => (BigInt(`0x${line}`) * R) % p)
  if (transposeWidth !== undefined) {
    const t = transposeWidth
    values = values.map((_, k) => values[(k % t) * t + Math.floor(k / t)])
  }
  return limbBytes(values)
}

/** Where the module keeps its state and the path's nodes; fixed when the module is built. */
interface Layout {
  /** Four 64-bit words: a canonical element crossing the boundary, little-endian. */
  readonly io: number
  /** MAX_WIDTH elements: the permutation's state; the inputs go to words 1..t-1. */
  readonly state: number
  /** The hash output (PoseidonEx's out[0]). */
  readonly out: number
  /** MAX_PATH_DEPTH siblings, the leaf's first. */
  readonly siblings: number
  /** MAX_PATH_DEPTH + 1 nodes: the leaf, then each level's new node, the root last. */
  readonly nodes: number
}

/** One instance of the module (`buildPoseidonWasm`). */
export interface PoseidonWasm {
  /** A view on the module's memory (wasm-memory.ts's memoryView). */
  readonly view: () => DataView
  readonly layout: Layout
  /** pos_permute<t>, indexed by t - 2. */
  readonly permute: ReadonlyArray<() => void>
  readonly path: (depth: number, index: number) => void
  readonly toMontgomery: (from: number, to: number) => void
  readonly fromMontgomery: (from: number, to: number) => void
}

/** Element operations on pointers: an address fixed at build time (a number) or code computing one. */
function fieldOps(c: CodeBuilder) {
  const at = (pointer: number | number[]) => (typeof pointer === 'number' ? c.i32_const(pointer) : pointer)
  return {
    at,
    mul: (a: number | number[], b: number | number[], r: number | number[]) => c.call('pos_mul', at(a), at(b), at(r)),
    add: (a: number | number[], b: number | number[], r: number | number[]) => c.call('pos_add', at(a), at(b), at(r)),
    copy: (a: number | number[], r: number | number[]) => c.call('pos_copy', at(a), at(r)),
    pow5: (x: number | number[]) => c.call('pos_pow5', at(x)),
    /** r = the inner product of the n elements from a and the n from b. */
    dot: (a: number | number[], b: number | number[], n: number, r: number | number[]) => c.call('pos_dot', at(a), at(b), c.i32_const(n), at(r)),
    /** The pointer in local `name` plus a fixed byte offset. */
    offset: (name: string, bytes: number) => (bytes === 0 ? c.getLocal(name) : c.i32_add(c.getLocal(name), c.i32_const(bytes))),
  }
}

/**
 * Montgomery arithmetic (Montgomery 1985, "Modular multiplication without trial division")
 * modulo p with R = 2^261, on nine 29-bit limbs held in 64-bit locals. The limbs are
 * narrower than half a word so that a product (58 bits) and the up to 17 others of its
 * column add up without overflowing 64 bits: carries are propagated once per
 * multiplication, not after every product, which is where a 32-bit-limb multiplication
 * spends much of its time. Elements stay in [0, 2p): 4p < R keeps the Montgomery product of
 * two such values below 2p without a final subtraction.
 */
function defineField(module: ModuleBuilder, scratch: number): void {
  const pLimbs = limbBytes([p])
  const limbOf = (bytes: Uint8Array, j: number) => new DataView(bytes.buffer).getUint32(4 * j, true)
  const twoP = limbBytes([2n * p])
  const pR2 = module.alloc(limbBytes([(R * R) % p]))
  const pOne = module.alloc(limbBytes([1n]))
  const mask = (c: CodeBuilder, code: number[]) => c.i64_and(code, c.i64_const(LIMB_MASK))
  const shr = (c: CodeBuilder, code: number[]) => c.i64_shr_u(code, c.i64_const(LIMB_BITS))

  {
    // r = x y / R mod p, operand scanning: per limb x_i, t += x_i y + m p with m making
    // the lowest limb 0, then t shifts down one limb (the lowest limb's carry folded in).
    const f = module.addFunction('pos_mul')
    f.addParam('x', 'i32')
    f.addParam('y', 'i32')
    f.addParam('r', 'i32')
    f.addLocal('xi', 'i64')
    f.addLocal('m', 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`y${j}`, 'i64')
    for (let j = 0; j < LIMBS - 1; j++) f.addLocal(`t${j}`, 'i64')
    const c = f.getCodeBuilder()
    const product = (j: number) => c.i64_add(c.i64_mul(c.getLocal('xi'), c.getLocal(`y${j}`)), c.i64_mul(c.getLocal('m'), c.i64_const(limbOf(pLimbs, j))))
    for (let j = 0; j < LIMBS; j++) f.addCode(c.setLocal(`y${j}`, c.i64_load32_u(c.getLocal('y'), 4 * j)))
    for (let i = 0; i < LIMBS; i++) {
      f.addCode(
        c.setLocal('xi', c.i64_load32_u(c.getLocal('x'), 4 * i)),
        c.setLocal('m', mask(c, c.i64_mul(c.i64_add(c.getLocal('t0'), c.i64_mul(c.getLocal('xi'), c.getLocal('y0'))), c.i64_const(MU)))),
        c.setLocal('t0', c.i64_add(c.i64_add(c.getLocal('t1'), product(1)), shr(c, c.i64_add(c.getLocal('t0'), product(0))))),
      )
      for (let j = 1; j < LIMBS - 2; j++) f.addCode(c.setLocal(`t${j}`, c.i64_add(c.getLocal(`t${j + 1}`), product(j + 1))))
      f.addCode(c.setLocal(`t${LIMBS - 2}`, product(LIMBS - 1)))
    }
    for (let j = 0; j < LIMBS - 1; j++) {
      f.addCode(c.i64_store32(c.getLocal('r'), 4 * j, mask(c, c.getLocal(`t${j}`))))
      if (j < LIMBS - 2) f.addCode(c.setLocal(`t${j + 1}`, c.i64_add(c.getLocal(`t${j + 1}`), shr(c, c.getLocal(`t${j}`)))))
    }
    f.addCode(c.i64_store32(c.getLocal('r'), 4 * (LIMBS - 1), shr(c, c.getLocal(`t${LIMBS - 2}`))))
  }

  /**
   * The Montgomery reduction of a double-width value held in the column locals c0..c17
   * (each below 2^64 - 2^40), written to r: the columns are carried into 29-bit limbs, then
   * nine rounds of m = c_i mu mod 2^29, c += m p 2^(29 i) clear the low half.
   */
  const reduceColumns = (c: CodeBuilder): number[][] => {
    const code: number[][] = []
    const column = (k: number) => c.getLocal(`c${k}`)
    const addTo = (k: number, value: number[]) => c.setLocal(`c${k}`, c.i64_add(column(k), value))
    for (let k = 0; k < 2 * LIMBS - 1; k++) code.push(addTo(k + 1, shr(c, column(k))), c.setLocal(`c${k}`, mask(c, column(k))))
    for (let i = 0; i < LIMBS; i++) {
      code.push(c.setLocal('m', mask(c, c.i64_mul(column(i), c.i64_const(MU)))))
      for (let j = 0; j < LIMBS; j++) code.push(addTo(i + j, c.i64_mul(c.getLocal('m'), c.i64_const(limbOf(pLimbs, j)))))
      code.push(addTo(i + 1, shr(c, column(i))))
    }
    for (let j = 0; j < LIMBS; j++) {
      code.push(c.i64_store32(c.getLocal('r'), 4 * j, mask(c, column(LIMBS + j))))
      if (j < LIMBS - 1) code.push(addTo(LIMBS + j + 1, shr(c, column(LIMBS + j))))
    }
    return code
  }
  const addColumnLocals = (f: FunctionBuilder) => {
    f.addLocal('m', 'i64')
    for (let k = 0; k < 2 * LIMBS; k++) f.addLocal(`c${k}`, 'i64')
  }

  {
    // r = sum_{k < n} a[k] b[k] / R mod p for element arrays a and b: the products are summed
    // in 17 column words (at most 7 x 9 products of 58 bits: below 2^64 - 2^40) and reduced
    // once, so n products cost n + 1 half-multiplications instead of 2n. n <= MAX_WIDTH;
    // the result is below 4 n p^2 / R + p < 2p.
    const f = module.addFunction('pos_dot')
    f.addParam('a', 'i32')
    f.addParam('b', 'i32')
    f.addParam('n', 'i32')
    f.addParam('r', 'i32')
    addColumnLocals(f)
    for (let j = 0; j < LIMBS; j++) f.addLocal(`a${j}`, 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`b${j}`, 'i64')
    const c = f.getCodeBuilder()
    const term: number[][] = []
    for (let j = 0; j < LIMBS; j++) term.push(c.setLocal(`a${j}`, c.i64_load32_u(c.getLocal('a'), 4 * j)), c.setLocal(`b${j}`, c.i64_load32_u(c.getLocal('b'), 4 * j)))
    for (let i = 0; i < LIMBS; i++) {
      for (let j = 0; j < LIMBS; j++) term.push(c.setLocal(`c${i + j}`, c.i64_add(c.getLocal(`c${i + j}`), c.i64_mul(c.getLocal(`a${i}`), c.getLocal(`b${j}`)))))
    }
    const advance = (name: string) => c.setLocal(name, c.i32_add(c.getLocal(name), c.i32_const(E)))
    f.addCode(c.loop(...term, advance('a'), advance('b'), c.setLocal('n', c.i32_sub(c.getLocal('n'), c.i32_const(1))), c.br_if(0, c.getLocal('n'))))
    f.addCode(...reduceColumns(c))
  }

  {
    // r = x^2 / R mod p: each cross product once, doubled (45 products instead of 81).
    const f = module.addFunction('pos_square')
    f.addParam('x', 'i32')
    f.addParam('r', 'i32')
    addColumnLocals(f)
    for (let j = 0; j < LIMBS; j++) f.addLocal(`x${j}`, 'i64')
    const c = f.getCodeBuilder()
    for (let j = 0; j < LIMBS; j++) f.addCode(c.setLocal(`x${j}`, c.i64_load32_u(c.getLocal('x'), 4 * j)))
    for (let i = 0; i < LIMBS; i++) {
      f.addCode(c.setLocal(`c${2 * i}`, c.i64_add(c.getLocal(`c${2 * i}`), c.i64_mul(c.getLocal(`x${i}`), c.getLocal(`x${i}`)))))
      if (i + 1 < LIMBS) {
        f.addCode(c.setLocal('m', c.i64_shl(c.getLocal(`x${i}`), c.i64_const(1))))
        for (let j = i + 1; j < LIMBS; j++) f.addCode(c.setLocal(`c${i + j}`, c.i64_add(c.getLocal(`c${i + j}`), c.i64_mul(c.getLocal('m'), c.getLocal(`x${j}`)))))
      }
    }
    f.addCode(...reduceColumns(c))
  }

  {
    // r = a + b, less 2p if that is not negative: [0, 2p) in, [0, 2p) out.
    const f = module.addFunction('pos_add')
    f.addParam('a', 'i32')
    f.addParam('b', 'i32')
    f.addParam('r', 'i32')
    f.addLocal('carry', 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`s${j}`, 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`d${j}`, 'i64')
    const c = f.getCodeBuilder()
    for (let j = 0; j < LIMBS; j++) {
      const sum = c.i64_add(c.i64_add(c.i64_load32_u(c.getLocal('a'), 4 * j), c.i64_load32_u(c.getLocal('b'), 4 * j)), c.getLocal('carry'))
      f.addCode(c.setLocal(`s${j}`, sum), c.setLocal('carry', shr(c, c.getLocal(`s${j}`))), c.setLocal(`s${j}`, mask(c, c.getLocal(`s${j}`))))
    }
    f.addCode(c.setLocal('carry', c.i64_const(0)))
    for (let j = 0; j < LIMBS; j++) {
      const difference = c.i64_add(c.i64_sub(c.getLocal(`s${j}`), c.i64_const(limbOf(twoP, j))), c.getLocal('carry'))
      f.addCode(c.setLocal(`d${j}`, difference), c.setLocal('carry', c.i64_shr_s(c.getLocal(`d${j}`), c.i64_const(LIMB_BITS))), c.setLocal(`d${j}`, mask(c, c.getLocal(`d${j}`))))
    }
    const store = (prefix: string) => Array.from({ length: LIMBS }, (_, j) => c.i64_store32(c.getLocal('r'), 4 * j, c.getLocal(`${prefix}${j}`))).flat()
    f.addCode(c.if(c.i64_eqz(c.getLocal('carry')), store('d'), store('s')))
  }

  {
    const f = module.addFunction('pos_copy')
    f.addParam('a', 'i32')
    f.addParam('r', 'i32')
    const c = f.getCodeBuilder()
    for (let j = 0; j < LIMBS; j++) f.addCode(c.i32_store(c.getLocal('r'), 4 * j, c.i32_load(c.getLocal('a'), 4 * j)))
  }

  {
    // x <- x^5: two squarings and a multiplication.
    const f = module.addFunction('pos_pow5')
    f.addParam('x', 'i32')
    const c = f.getCodeBuilder()
    const op = fieldOps(c)
    f.addCode(c.call('pos_square', c.getLocal('x'), op.at(scratch)), c.call('pos_square', op.at(scratch), op.at(scratch)), op.mul(c.getLocal('x'), scratch, c.getLocal('x')))
  }

  {
    // A canonical element as four little-endian 64-bit words at `from` -> its Montgomery form at `to`.
    const f = module.addFunction('pos_toMontgomery')
    f.addParam('from', 'i32')
    f.addParam('to', 'i32')
    const c = f.getCodeBuilder()
    const word = (w: number) => c.i64_load(c.getLocal('from'), 8 * w)
    for (let j = 0; j < LIMBS; j++) {
      const bit = LIMB_BITS * j
      const [w, shift] = [Math.floor(bit / 64), bit % 64]
      let limb = c.i64_shr_u(word(w), c.i64_const(shift))
      if (shift + LIMB_BITS > 64 && w + 1 < 4) limb = c.i64_or(limb, c.i64_shl(word(w + 1), c.i64_const(64 - shift)))
      f.addCode(c.i64_store32(c.i32_const(scratch), 4 * j, mask(c, limb)))
    }
    f.addCode(c.call('pos_mul', c.i32_const(scratch), c.i32_const(pR2), c.getLocal('to')))
  }

  {
    // The inverse: the element at `from` (in [0, 2p)) to canonical 64-bit words at `to`.
    const f = module.addFunction('pos_fromMontgomery')
    f.addParam('from', 'i32')
    f.addParam('to', 'i32')
    f.addLocal('borrow', 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`v${j}`, 'i64')
    for (let j = 0; j < LIMBS; j++) f.addLocal(`d${j}`, 'i64')
    const c = f.getCodeBuilder()
    // x / R lies in [0, p]: subtract p once if that leaves it non-negative.
    f.addCode(c.call('pos_mul', c.getLocal('from'), c.i32_const(pOne), c.i32_const(scratch)))
    for (let j = 0; j < LIMBS; j++) {
      f.addCode(c.setLocal(`v${j}`, c.i64_load32_u(c.i32_const(scratch), 4 * j)))
      const difference = c.i64_add(c.i64_sub(c.getLocal(`v${j}`), c.i64_const(limbOf(pLimbs, j))), c.getLocal('borrow'))
      f.addCode(c.setLocal(`d${j}`, difference), c.setLocal('borrow', c.i64_shr_s(c.getLocal(`d${j}`), c.i64_const(LIMB_BITS))), c.setLocal(`d${j}`, mask(c, c.getLocal(`d${j}`))))
    }
    const select = Array.from({ length: LIMBS }, (_, j) => c.setLocal(`v${j}`, c.getLocal(`d${j}`))).flat()
    f.addCode(c.if(c.i64_eqz(c.getLocal('borrow')), select))
    for (let w = 0; w < 4; w++) {
      let word = c.i64_const(0)
      for (let j = 0; j < LIMBS; j++) {
        const bit = LIMB_BITS * j - 64 * w
        if (bit >= 64 || bit + LIMB_BITS <= 0) continue
        const part = bit >= 0 ? c.i64_shl(c.getLocal(`v${j}`), c.i64_const(bit)) : c.i64_shr_u(c.getLocal(`v${j}`), c.i64_const(-bit))
        word = c.i64_or(word, part)
      }
      f.addCode(c.i64_store(c.getLocal('to'), 8 * w, word))
    }
  }
  module.exportFunction('pos_toMontgomery')
  module.exportFunction('pos_fromMontgomery')
}

/**
 * The module's functions and memory layout. The constant tables are reserved, not given to
 * the builder as data: `tables` collects them to be copied into the memory directly, which
 * keeps 130 kB out of wasmbuilder's byte-array concatenations (most of the build time).
 */
function definePoseidon(module: ModuleBuilder, tables: Array<{ pointer: number; bytes: Uint8Array }>): Layout {
  const layout: Layout = {
    io: module.alloc(32),
    state: module.alloc(MAX_WIDTH * E),
    out: module.alloc(E),
    siblings: module.alloc(MAX_PATH_DEPTH * E),
    nodes: module.alloc((MAX_PATH_DEPTH + 1) * E),
  }
  const mixed = module.alloc(MAX_WIDTH * E)
  const scratch = module.alloc(E)
  const accumulator = module.alloc(E)
  const word = (j: number) => layout.state + j * E
  defineField(module, module.alloc(E))

  for (const hex of POSEIDON_CONSTANTS_HEX) {
    const { t, partialRounds } = hex
    const table = (bytes: Uint8Array) => {
      const pointer = module.alloc(bytes.length)
      tables.push({ pointer, bytes })
      return pointer
    }
    const C = table(montgomeryTable(hex.C))
    const S = table(montgomeryTable(hex.S))
    // Mix(t, M) computes out[i] = sum_j M[j][i] in[j]: the transposed tables read row by row.
    const MT = table(montgomeryTable(hex.M, t))
    const PT = table(montgomeryTable(hex.P, t))

    {
      // A full round after the first: sigma on every word, the constants at `c`, the mix at `m`.
      const f = module.addFunction(`pos_full${t}`)
      f.addParam('c', 'i32')
      f.addParam('m', 'i32')
      const c = f.getCodeBuilder()
      const op = fieldOps(c)
      for (let j = 0; j < t; j++) f.addCode(op.pow5(word(j)), op.add(word(j), op.offset('c', j * E), word(j)))
      for (let i = 0; i < t; i++) f.addCode(op.dot(op.offset('m', i * t * E), word(0), t, mixed + i * E))
      for (let i = 0; i < t; i++) f.addCode(op.copy(mixed + i * E, word(i)))
    }

    {
      // PoseidonEx(t - 1, 1) with initial state 0 on the inputs in words 1..t-1; out <- out[0].
      const f = module.addFunction(`pos_permute${t}`)
      f.addLocal('c', 'i32')
      f.addLocal('s', 'i32')
      f.addLocal('r', 'i32')
      const c = f.getCodeBuilder()
      const op = fieldOps(c)
      const full = (constants: number[], matrix: number) => c.call(`pos_full${t}`, constants, c.i32_const(matrix))
      const advance = (name: string, bytes: number) => c.setLocal(name, c.i32_add(c.getLocal(name), c.i32_const(bytes)))
      f.addCode(op.copy(C, word(0)))
      for (let j = 1; j < t; j++) f.addCode(op.add(word(j), C + j * E, word(j)))
      for (let r = 1; r < HALF_FULL_ROUNDS; r++) f.addCode(full(c.i32_const(C + r * t * E), MT))
      f.addCode(full(c.i32_const(C + HALF_FULL_ROUNDS * t * E), PT))

      // Partial rounds (MixS): x0 = sigma(state[0]) + C[c];
      //   state[0] <- S[b] x0 + sum_{i>=1} S[b + i] state[i],  b = (2t - 1) r
      //   state[i] <- state[i] + S[b + t + i - 1] x0            for i >= 1.
      const x0 = word(0)
      const partialRound: number[][] = [op.pow5(x0), op.add(x0, c.getLocal('c'), x0), op.dot(c.getLocal('s'), x0, t, accumulator)]
      for (let i = 1; i < t; i++) partialRound.push(op.mul(op.offset('s', (t + i - 1) * E), x0, scratch), op.add(word(i), scratch, word(i)))
      partialRound.push(op.copy(accumulator, x0), advance('c', E), advance('s', (2 * t - 1) * E))
      f.addCode(
        c.setLocal('c', c.i32_const(C + (HALF_FULL_ROUNDS + 1) * t * E)),
        c.setLocal('s', c.i32_const(S)),
        c.setLocal('r', c.i32_const(partialRounds)),
        c.loop(...partialRound, c.setLocal('r', c.i32_sub(c.getLocal('r'), c.i32_const(1))), c.br_if(0, c.getLocal('r'))),
      )

      for (let r = 0; r < HALF_FULL_ROUNDS - 1; r++) f.addCode(full(op.offset('c', r * t * E), MT))

      // The last round: sigma, no constants, and MixLast(t, M, 0) = sum_j M[j][0] state[j].
      for (let j = 0; j < t; j++) f.addCode(op.pow5(word(j)))
      f.addCode(op.dot(MT, word(0), t, layout.out))
      module.exportFunction(`pos_permute${t}`)
    }
  }

  {
    // nodes[l + 1] = H(nodes[l], siblings[l]), the pair ordered by bit l of the leaf's index.
    const f = module.addFunction('pos_path')
    f.addParam('depth', 'i32')
    f.addParam('index', 'i32')
    f.addLocal('node', 'i32')
    f.addLocal('sibling', 'i32')
    const c = f.getCodeBuilder()
    const op = fieldOps(c)
    const advance = (name: string, bytes: number) => c.setLocal(name, c.i32_add(c.getLocal(name), c.i32_const(bytes)))
    f.addCode(
      c.setLocal('node', c.i32_const(layout.nodes)),
      c.setLocal('sibling', c.i32_const(layout.siblings)),
      c.if(
        c.getLocal('depth'),
        c.loop(
          c.if(
            c.i32_and(c.getLocal('index'), c.i32_const(1)),
            [...op.copy(c.getLocal('sibling'), word(1)), ...op.copy(c.getLocal('node'), word(2))],
            [...op.copy(c.getLocal('node'), word(1)), ...op.copy(c.getLocal('sibling'), word(2))],
          ),
          c.call('pos_permute3'),
          advance('node', E),
          op.copy(layout.out, c.getLocal('node')),
          advance('sibling', E),
          c.setLocal('index', c.i32_shr_u(c.getLocal('index'), c.i32_const(1))),
          c.setLocal('depth', c.i32_sub(c.getLocal('depth'), c.i32_const(1))),
          c.br_if(0, c.getLocal('depth')),
        ),
      ),
    )
    module.exportFunction('pos_path')
  }
  return layout
}

/**
 * Builds, compiles and instantiates a fresh module: synchronous, so poseidon() stays
 * synchronous. The hashes below use one instance per thread, built on first use; this is
 * exported so bench/poseidon.ts can time what that first use costs.
 */
export function buildPoseidonWasm(): PoseidonWasm {
  const module = new ModuleBuilder()
  const tables: Array<{ pointer: number; bytes: Uint8Array }> = []
  const layout = definePoseidon(module, tables)
  const pages = Math.ceil(module.free / PAGE_BYTES)
  module.setMemory(pages)
  const memory = new WebAssembly.Memory({ initial: pages })
  const exports = new WebAssembly.Instance(new WebAssembly.Module(module.build()), { env: { memory } }).exports as Record<string, (...args: number[]) => void>
  const memoryBytes = new Uint8Array(memory.buffer)
  for (const { pointer, bytes } of tables) memoryBytes.set(bytes, pointer)
  return {
    view: memoryView(memory),
    layout,
    permute: POSEIDON_CONSTANTS_HEX.map(({ t }) => exports[`pos_permute${t}`]),
    path: exports.pos_path,
    toMontgomery: exports.pos_toMontgomery,
    fromMontgomery: exports.pos_fromMontgomery,
  }
}

let instance: PoseidonWasm | undefined

function poseidonWasm(): PoseidonWasm {
  instance ??= buildPoseidonWasm()
  return instance
}

/** Writes a canonical element (a RangeError otherwise) in Montgomery form at `pointer`. */
function write(wasm: PoseidonWasm, pointer: number, value: bigint): void {
  writeCanonical(wasm.view(), wasm.layout.io, value)
  wasm.toMontgomery(wasm.layout.io, pointer)
}

/** Reads the element at `pointer` as a canonical BigInt. */
function read(wasm: PoseidonWasm, pointer: number): bigint {
  wasm.fromMontgomery(pointer, wasm.layout.io)
  return readCanonical(wasm.view(), wasm.layout.io)
}

/**
 * PoseidonEx(n, 1) with initial state 0 on 1 to 6 canonical inputs (each in [0, p)); a
 * RangeError otherwise. ./poseidon.ts's `poseidon()` is the caller-facing form.
 */
export function hashCanonical(inputs: readonly bigint[]): bigint {
  const t = inputs.length + 1
  if (t < 2 || t > MAX_WIDTH) throw new RangeError(`Poseidon takes 1 to ${MAX_WIDTH - 1} inputs, got ${inputs.length}`)
  const wasm = poseidonWasm()
  const { state, out } = wasm.layout
  for (let i = 0; i < inputs.length; i++) write(wasm, state + (i + 1) * E, inputs[i])
  wasm.permute[t - 2]()
  return read(wasm, out)
}

/**
 * Climbs a Merkle path of 2-input hashes: node[0] = leaf, node[l + 1] = H(node[l],
 * siblings[l]) if bit l of `index` is 0, else H(siblings[l], node[l]). Returns every node,
 * the leaf first and the root last (siblings.length + 1 of them). Canonical inputs only.
 */
export function hashPath(leaf: bigint, siblings: readonly bigint[], index: number): bigint[] {
  const depth = siblings.length
  if (depth > MAX_PATH_DEPTH) throw new RangeError(`a path has at most ${MAX_PATH_DEPTH} levels, got ${depth}`)
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** depth) throw new RangeError(`leaf index ${index} does not fit a path of ${depth} levels`)
  const wasm = poseidonWasm()
  const { nodes: nodesAt, siblings: siblingsAt } = wasm.layout
  write(wasm, nodesAt, leaf)
  for (let level = 0; level < depth; level++) write(wasm, siblingsAt + level * E, siblings[level])
  // `index | 0` keeps bit 31 of a depth-32 index as the sign of the i32.
  wasm.path(depth, index | 0)
  const nodes = [leaf]
  for (let level = 1; level <= depth; level++) nodes.push(read(wasm, nodesAt + level * E))
  return nodes
}
