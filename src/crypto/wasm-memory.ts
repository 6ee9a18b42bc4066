/**
 * The boundary between BigInts and the WebAssembly fields of src/crypto (wasm-field.ts's
 * Montgomery field, wasm-poseidon.ts's own limbs): both take a canonical element in, and
 * give it back, as four little-endian 64-bit words in their memory, converting to their
 * own representation inside the module. Kept apart from wasm-field.ts so that Poseidon's
 * callers do not load wasmcurves.
 */
import { Fr } from './field.js'

const MASK_64 = (1n << 64n) - 1n

/**
 * A canonical element (a RangeError otherwise) as four little-endian 64-bit words at
 * `pointer`: the form the wasm fields take in.
 */
export function writeCanonical(view: DataView, pointer: number, value: bigint): void {
  if (value < 0n || value >= Fr.ORDER) throw new RangeError('not a canonical field element')
  view.setBigUint64(pointer, value & MASK_64, true)
  view.setBigUint64(pointer + 8, (value >> 64n) & MASK_64, true)
  view.setBigUint64(pointer + 16, (value >> 128n) & MASK_64, true)
  view.setBigUint64(pointer + 24, value >> 192n, true)
}

/** The four little-endian 64-bit words at `pointer` as a BigInt: writeCanonical's inverse. */
export function readCanonical(view: DataView, pointer: number): bigint {
  return (
    view.getBigUint64(pointer, true) |
    (view.getBigUint64(pointer + 8, true) << 64n) |
    (view.getBigUint64(pointer + 16, true) << 128n) |
    (view.getBigUint64(pointer + 24, true) << 192n)
  )
}

/** A DataView on a module's memory, renewed should the memory ever grow (which detaches the old buffer). */
export function memoryView(memory: WebAssembly.Memory): () => DataView {
  let view = new DataView(memory.buffer)
  return () => (view.buffer === memory.buffer ? view : (view = new DataView(memory.buffer)))
}
