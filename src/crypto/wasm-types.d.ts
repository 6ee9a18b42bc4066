// Types for the parts of wasmbuilder and wasmcurves that src/crypto calls: the module
// builder snarkjs's own field code (ffjavascript) is generated with.

declare module 'wasmbuilder' {
  /** WebAssembly code as bytes; the builder's instructions compose these arrays. */
  export type Code = number[]
  export type ValueType = 'i32' | 'i64'

  /** One instruction per method (wasmbuilder/src/codebuilder.js), each returning its bytes. */
  export type CodeBuilder = Record<string, (...args: Array<Code | number | string | bigint>) => Code>

  export interface FunctionBuilder {
    addParam(name: string, type: ValueType): void
    addLocal(name: string, type: ValueType, length?: number): void
    setReturnType(type: ValueType): void
    getCodeBuilder(): CodeBuilder
    addCode(...code: Code[]): void
  }

  export class ModuleBuilder {
    /** The first free byte after the static data placed so far. */
    free: number
    modules: Record<string, { pq: number; n64: number; q: bigint; pOne: number; pZero: number; [key: string]: unknown }>
    setMemory(pages: number, moduleName?: string, fieldName?: string): void
    addFunction(name: string): FunctionBuilder
    exportFunction(name: string, exportName?: string): void
    /** Reserves `size` bytes of static memory (8-byte aligned), filled with `bytes` if given. */
    alloc(size: number, bytes?: Uint8Array | number[]): number
    alloc(bytes: Uint8Array | number[]): number
    build(): Uint8Array
  }
}

declare module 'wasmcurves' {
  import type { ModuleBuilder } from 'wasmbuilder'
  /** Adds Montgomery arithmetic modulo q under `prefix` (`<prefix>_mul`, `_add`, …); returns the prefix. */
  export function buildF1m(module: ModuleBuilder, q: bigint, prefix?: string, intPrefix?: string): string
  const wasmcurves: { buildF1m: typeof buildF1m }
  export default wasmcurves
}
