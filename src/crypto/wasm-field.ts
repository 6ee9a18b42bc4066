/**
 * F_r, the BN254 scalar field (BabyJubJub's base field, Poseidon's field), in WebAssembly:
 * the hot loops of src/crypto (curve arithmetic, Poseidon) run there instead of on BigInts.
 *
 * The field code is wasmcurves' buildF1m, the Montgomery arithmetic (Montgomery 1985,
 * "Modular multiplication without trial division"; operand scanning with 32-bit limbs and
 * 64-bit products) that snarkjs's provers run through ffjavascript; a multiplication costs
 * about a third of a BigInt multiply-and-reduce on this machine. Each user adds its own
 * functions on top with wasmbuilder and gets one synchronous instance per thread.
 *
 * Layout: an element is 32 bytes, little-endian 64-bit limbs, in Montgomery form (a·2^256
 * mod r) inside the module. `write` and `read` convert at the boundary, so callers pass and
 * get canonical BigInts.
 */
import { ModuleBuilder } from 'wasmbuilder'
import wasmcurves from 'wasmcurves'
import { Fr } from './field.js'
import { memoryView, readCanonical, writeCanonical } from './wasm-memory.js'

export const ELEMENT_BYTES = 32
/** The prefix of the field functions inside the module: `frm_mul`, `frm_add`, `frm_square`, … */
export const FIELD = 'frm'

const PAGE_BYTES = 65536

export interface FrWasm {
  /** The module's exports: the field's `frm_*` functions and the caller's own. */
  readonly exports: Record<string, (...args: number[]) => number>
  /** First byte past the module's static data: the caller's scratch space starts here. */
  readonly heap: number
  /** Writes a canonical element at `pointer`, in Montgomery form. */
  write(pointer: number, value: bigint): void
  /** Reads the element at `pointer` back as a canonical BigInt. */
  read(pointer: number): bigint
  /** The module's memory as bytes (the view is renewed if the memory ever grows). */
  bytes(): Uint8Array
}

/**
 * Builds and instantiates one module: F_r under the `frm` prefix, then `define`'s functions,
 * with `heapBytes` of scratch memory past the static data. Synchronous (Node compiles a
 * module of any size off the main-thread limits browsers apply), so callers stay synchronous.
 */
export function buildFrWasm(define: (module: ModuleBuilder) => void, heapBytes: number): FrWasm {
  const module = new ModuleBuilder()
  wasmcurves.buildF1m(module, Fr.ORDER, FIELD)
  define(module)
  // Two scratch elements for the conversions below, then the caller's heap.
  const conversion = module.alloc(ELEMENT_BYTES)
  const heap = module.free
  const pages = Math.ceil((heap + heapBytes) / PAGE_BYTES)
  module.setMemory(pages)
  const memory = new WebAssembly.Memory({ initial: pages })
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module.build()), { env: { memory } })
  const exports = instance.exports as FrWasm['exports']
  const toMontgomery = exports[`${FIELD}_toMontgomery`]
  const fromMontgomery = exports[`${FIELD}_fromMontgomery`]
  const viewOf = memoryView(memory)
  return {
    exports,
    heap,
    write(pointer, value) {
      writeCanonical(viewOf(), pointer, value)
      toMontgomery(pointer, pointer)
    },
    read(pointer) {
      fromMontgomery(pointer, conversion)
      return readCanonical(viewOf(), conversion)
    },
    bytes: () => new Uint8Array(memory.buffer),
  }
}
