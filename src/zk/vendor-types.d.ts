// Types for the parts of snarkjs's own dependencies that src/zk calls directly.

declare module '@iden3/binfileutils' {
  /** Where one section's bytes start in the file, and how many there are. */
  export interface BinFileSection {
    p: number
    size: number
  }
  /** A fastfile handle; src/zk only closes it. */
  export interface BinFileHandle {
    close(): Promise<void>
  }
  export type BinFileSource = string | { type: 'mem'; data: Uint8Array }
  export function readBinFile(
    source: BinFileSource,
    type: string,
    maxVersion: number,
    cacheSize?: number,
    pageSize?: number,
  ): Promise<{ fd: BinFileHandle; sections: BinFileSection[][] }>
  export function readSection(
    fd: BinFileHandle,
    sections: BinFileSection[][],
    idSection: number,
    offset?: number,
    length?: number,
  ): Promise<Uint8Array>
}

declare module 'circom_runtime' {
  export interface WitnessCalculator {
    readonly witnessSize: number
    readonly prime: bigint
    calculateWitness(input: Record<string, bigint | bigint[]>, sanityCheck?: boolean): Promise<bigint[]>
  }
  /** `code` is the circuit wasm, or an instance that the caller built with its own imports. */
  export function WitnessCalculatorBuilder(code: Uint8Array | object, options?: { sanityCheck?: boolean }): Promise<WitnessCalculator>
}
