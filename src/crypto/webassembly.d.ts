// The part of the WebAssembly JS API (https://webassembly.github.io/spec/js-api/) that
// src/crypto/wasm-field.ts uses. TypeScript ships these types only with its DOM libraries,
// which this Node project does not load; Node provides the globals themselves.

declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number })
    readonly buffer: ArrayBuffer
  }
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>)
    readonly exports: Record<string, unknown>
  }
}
