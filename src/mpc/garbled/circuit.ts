/**
 * Boolean circuits for garbling: a small builder (inputs, XOR, AND, NOT, outputs) and the
 * execution plan the garbler and evaluator share.
 *
 * Wires 0 .. g-1 are the garbler's inputs and g .. g+e-1 the evaluator's. XOR and NOT are
 * free under free-XOR (Kolesnikov, Schneider, ICALP 2008); each AND costs two hashes per
 * party and 32 bytes (half-gates). The plan groups the gates by AND depth: layer L runs the
 * linear gates of depth L, then all AND gates of depth L + 1 as one batch, so each layer's
 * AND gates are hashed in one AES call instead of one call per gate.
 */

export type Wire = number

export const GateKind = { xor: 0, and: 1, not: 2 } as const

export interface CircuitLayer {
  /** XOR and NOT gates in order, 4 entries each: kind, input a, input b (NOT: -1), output. */
  readonly linear: Int32Array
  /** AND gates, 3 entries each: input a, input b, output. */
  readonly ands: Int32Array
}

export interface Circuit {
  readonly garblerInputCount: number
  readonly evaluatorInputCount: number
  readonly wireCount: number
  readonly andCount: number
  readonly outputs: Int32Array
  readonly layers: readonly CircuitLayer[]
}

export class CircuitBuilder {
  readonly garblerInputs: Wire[]
  readonly evaluatorInputs: Wire[]
  /** kind, a, b, out for every gate, in creation (topological) order. */
  private readonly gates: number[] = []
  /** Number of AND gates on the longest path to each wire. */
  private readonly depths: number[] = []

  constructor(garblerInputCount: number, evaluatorInputCount: number) {
    this.garblerInputs = Array.from({ length: garblerInputCount }, (_, i) => i)
    this.evaluatorInputs = Array.from({ length: evaluatorInputCount }, (_, i) => garblerInputCount + i)
    this.depths = new Array<number>(garblerInputCount + evaluatorInputCount).fill(0)
  }

  xor(a: Wire, b: Wire): Wire {
    return this.gate(GateKind.xor, a, b, Math.max(this.depthOf(a), this.depthOf(b)))
  }

  and(a: Wire, b: Wire): Wire {
    return this.gate(GateKind.and, a, b, Math.max(this.depthOf(a), this.depthOf(b)) + 1)
  }

  not(a: Wire): Wire {
    return this.gate(GateKind.not, a, -1, this.depthOf(a))
  }

  private depthOf(wire: Wire): number {
    if (!Number.isInteger(wire) || wire < 0 || wire >= this.depths.length) throw new RangeError(`no wire ${wire}`)
    return this.depths[wire]
  }

  private gate(kind: number, a: Wire, b: Wire, depth: number): Wire {
    const out = this.depths.length
    this.depths.push(depth)
    this.gates.push(kind, a, b, out)
    return out
  }

  build(outputs: readonly Wire[]): Circuit {
    outputs.forEach((wire) => this.depthOf(wire))
    const maxDepth = this.depths.reduce((max, depth) => Math.max(max, depth), 0)
    const linear: number[][] = Array.from({ length: maxDepth + 1 }, () => [])
    const ands: number[][] = Array.from({ length: maxDepth + 1 }, () => [])
    let andCount = 0
    for (let g = 0; g < this.gates.length; g += 4) {
      const kind = this.gates[g]
      const a = this.gates[g + 1]
      const b = this.gates[g + 2]
      const out = this.gates[g + 3]
      if (kind === GateKind.and) {
        ands[this.depths[out] - 1].push(a, b, out)
        andCount++
      } else {
        linear[this.depths[out]].push(kind, a, b, out)
      }
    }
    return {
      garblerInputCount: this.garblerInputs.length,
      evaluatorInputCount: this.evaluatorInputs.length,
      wireCount: this.depths.length,
      andCount,
      outputs: Int32Array.from(outputs),
      layers: linear.map((gates, depth) => ({ linear: Int32Array.from(gates), ands: Int32Array.from(ands[depth]) })),
    }
  }
}

/** The `count` low bits of a non-negative integer, LSB first, one 0/1 byte each. */
export function bitsOf(value: bigint, count: number): Uint8Array {
  if (value < 0n || value >> BigInt(count) !== 0n) throw new RangeError(`value does not fit in ${count} bits`)
  return Uint8Array.from({ length: count }, (_, i) => Number((value >> BigInt(i)) & 1n))
}
