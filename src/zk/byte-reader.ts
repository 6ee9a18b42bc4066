/**
 * Sequential little-endian reads from one section of a binary file (the iden3 .r1cs and
 * snarkjs .zkey formats), failing with the caller's error type when the section is too
 * short or has bytes left over.
 */
export class ByteReader {
  private offset = 0
  private readonly view: DataView

  constructor(
    private readonly data: Uint8Array,
    private readonly fail: (message: string) => Error,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }

  u32(): number {
    if (this.offset + 4 > this.data.length) throw this.fail('section ends early')
    const value = this.view.getUint32(this.offset, true)
    this.offset += 4
    return value
  }

  bytes(length: number): Uint8Array {
    if (this.offset + length > this.data.length) throw this.fail('section ends early')
    const out = this.data.slice(this.offset, this.offset + length)
    this.offset += length
    return out
  }

  /** An unsigned integer of `length` little-endian bytes. */
  littleEndian(length: number): bigint {
    const bytes = this.bytes(length)
    let value = 0n
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i])
    return value
  }

  expectEnd(section: string): void {
    if (this.offset !== this.data.length) throw this.fail(`${section} has ${this.data.length - this.offset} trailing bytes`)
  }
}
