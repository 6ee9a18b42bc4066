/**
 * Garbling and evaluation with free-XOR (Kolesnikov, Schneider, ICALP 2008) and half-gates
 * (Zahur, Rosulek, Evans, "Two Halves Make a Whole", EUROCRYPT 2015, section 3).
 *
 * Every wire w has labels W0 and W1 = W0 ^ delta; lsb(delta) = 1, so lsb of a label is the
 * point-and-permute bit. XOR gates XOR labels, NOT gates XOR delta into the garbler's zero
 * label, and an AND gate with input zero labels A0, B0 (pa = lsb A0, pb = lsb B0) and tweak
 * counter j is garbled as
 *
 *     TG = H(A0, j.0) ^ H(A1, j.0) ^ pb * delta        WG0 = H(A0, j.0) ^ pa * TG
 *     TE = H(B0, j.1) ^ H(B1, j.1) ^ A0                WE0 = H(B0, j.1) ^ pb * (TE ^ A0)
 *     C0 = WG0 ^ WE0,  table (TG, TE): 32 bytes
 *
 * and evaluated from labels A, B as C = H(A, j.0) ^ lsb(A) * TG ^ H(B, j.1) ^ lsb(B) * (TE ^ A).
 * H is the fixed-key tweakable hash (tweakable-hash.ts, Guo-Katz-Wang-Yu 2020), with tweak
 * (firstTweak + gate number, 0, half); each gate's tweaks are unique in the session. The
 * AND gates of one layer of the plan are hashed in one batch.
 */
import type { TweakableHash } from '../tweakable-hash.js'
import { BLOCK_WORDS } from '../words.js'
import { type Circuit, GateKind } from './circuit.js'

/** Table words per AND gate: TG and TE. */
export const TABLE_WORDS = 8

function runLinear(gates: Int32Array, labels: Uint32Array, notMask: Uint32Array): void {
  for (let g = 0; g < gates.length; g += 4) {
    const a = BLOCK_WORDS * gates[g + 1]
    const out = BLOCK_WORDS * gates[g + 3]
    if (gates[g] === GateKind.xor) {
      const b = BLOCK_WORDS * gates[g + 2]
      for (let w = 0; w < BLOCK_WORDS; w++) labels[out + w] = labels[a + w] ^ labels[b + w]
    } else {
      for (let w = 0; w < BLOCK_WORDS; w++) labels[out + w] = labels[a + w] ^ notMask[w]
    }
  }
}

/** AND gates hashed per batch: their inputs, tweaks and hashes stay in the CPU cache. */
const CHUNK_GATES = 1024

/**
 * Tweaks for `count` gates numbered from firstCounter, in the layout of writeTweak
 * (tweakable-hash.ts) with candidate 0 and lane = half: for each gate, `copies` blocks of
 * half 0 (the garbler half, keyed by input a) then `copies` blocks of half 1 (input b).
 */
function writeAndTweaks(tweaks: Uint32Array, count: number, firstCounter: number, copies: number): void {
  for (let i = 0, w = 0; i < count; i++) {
    const counter = firstCounter + i
    const low = counter >>> 0
    const high = (counter / 0x1_0000_0000) >>> 0
    for (let half = 0; half < 2; half++) {
      for (let c = 0; c < copies; c++, w += BLOCK_WORDS) {
        tweaks[w] = low
        tweaks[w + 1] = high
        tweaks[w + 2] = 0
        tweaks[w + 3] = half
      }
    }
  }
}

/**
 * Garbles `circuit` given the zero labels of all inputs (4 words each, garbler's then
 * evaluator's). Returns the tables (8 words per AND, in plan order) and the zero labels of
 * the outputs.
 */
export function garble(
  circuit: Circuit,
  hash: TweakableHash,
  firstTweak: number,
  delta: Uint32Array,
  inputZeroLabels: Uint32Array,
): { tables: Uint32Array; outputZeroLabels: Uint32Array } {
  const labels = new Uint32Array(BLOCK_WORDS * circuit.wireCount)
  labels.set(inputZeroLabels)
  const tables = new Uint32Array(TABLE_WORDS * circuit.andCount)
  const inputs = new Uint32Array(4 * BLOCK_WORDS * CHUNK_GATES)
  const tweaks = new Uint32Array(4 * BLOCK_WORDS * CHUNK_GATES)
  let gateNumber = 0
  for (const layer of circuit.layers) {
    runLinear(layer.linear, labels, delta)
    for (let first = 0; first < layer.ands.length; first += 3 * CHUNK_GATES) {
      const gates = layer.ands.subarray(first, first + 3 * CHUNK_GATES)
      const count = gates.length / 3
      for (let i = 0; i < count; i++) {
        const a = BLOCK_WORDS * gates[3 * i]
        const b = BLOCK_WORDS * gates[3 * i + 1]
        const x = 4 * BLOCK_WORDS * i
        for (let w = 0; w < BLOCK_WORDS; w++) {
          inputs[x + w] = labels[a + w]
          inputs[x + 4 + w] = labels[a + w] ^ delta[w]
          inputs[x + 8 + w] = labels[b + w]
          inputs[x + 12 + w] = labels[b + w] ^ delta[w]
        }
      }
      writeAndTweaks(tweaks, count, firstTweak + gateNumber, 2)
      const hashed = hash.hash(inputs.subarray(0, 4 * BLOCK_WORDS * count), tweaks.subarray(0, 4 * BLOCK_WORDS * count))
      for (let i = 0; i < count; i++) {
        const a = BLOCK_WORDS * gates[3 * i]
        const b = BLOCK_WORDS * gates[3 * i + 1]
        const out = BLOCK_WORDS * gates[3 * i + 2]
        const h = 4 * BLOCK_WORDS * i
        const t = TABLE_WORDS * (gateNumber + i)
        const pa = -(labels[a] & 1)
        const pb = -(labels[b] & 1)
        for (let w = 0; w < BLOCK_WORDS; w++) {
          const a0 = labels[a + w]
          const garblerTable = hashed[h + w] ^ hashed[h + 4 + w] ^ (pb & delta[w])
          const evaluatorTable = hashed[h + 8 + w] ^ hashed[h + 12 + w] ^ a0
          tables[t + w] = garblerTable
          tables[t + 4 + w] = evaluatorTable
          labels[out + w] = hashed[h + w] ^ (pa & garblerTable) ^ hashed[h + 8 + w] ^ (pb & (evaluatorTable ^ a0))
        }
      }
      gateNumber += count
    }
  }
  return { tables, outputZeroLabels: collectOutputs(circuit, labels) }
}

/** Evaluates `circuit` from the active labels of all inputs; returns the output labels. */
export function evaluate(
  circuit: Circuit,
  hash: TweakableHash,
  firstTweak: number,
  inputLabels: Uint32Array,
  tables: Uint32Array,
): Uint32Array {
  const labels = new Uint32Array(BLOCK_WORDS * circuit.wireCount)
  labels.set(inputLabels)
  const noFlip = new Uint32Array(BLOCK_WORDS)
  const inputs = new Uint32Array(2 * BLOCK_WORDS * CHUNK_GATES)
  const tweaks = new Uint32Array(2 * BLOCK_WORDS * CHUNK_GATES)
  let gateNumber = 0
  for (const layer of circuit.layers) {
    runLinear(layer.linear, labels, noFlip)
    for (let first = 0; first < layer.ands.length; first += 3 * CHUNK_GATES) {
      const gates = layer.ands.subarray(first, first + 3 * CHUNK_GATES)
      const count = gates.length / 3
      for (let i = 0; i < count; i++) {
        const a = BLOCK_WORDS * gates[3 * i]
        const b = BLOCK_WORDS * gates[3 * i + 1]
        for (let w = 0; w < BLOCK_WORDS; w++) {
          inputs[8 * i + w] = labels[a + w]
          inputs[8 * i + 4 + w] = labels[b + w]
        }
      }
      writeAndTweaks(tweaks, count, firstTweak + gateNumber, 1)
      const hashed = hash.hash(inputs.subarray(0, 2 * BLOCK_WORDS * count), tweaks.subarray(0, 2 * BLOCK_WORDS * count))
      for (let i = 0; i < count; i++) {
        const a = BLOCK_WORDS * gates[3 * i]
        const b = BLOCK_WORDS * gates[3 * i + 1]
        const out = BLOCK_WORDS * gates[3 * i + 2]
        const t = TABLE_WORDS * (gateNumber + i)
        const sa = -(labels[a] & 1)
        const sb = -(labels[b] & 1)
        for (let w = 0; w < BLOCK_WORDS; w++) {
          const labelA = labels[a + w]
          labels[out + w] =
            hashed[8 * i + w] ^ (sa & tables[t + w]) ^ hashed[8 * i + 4 + w] ^ (sb & (tables[t + 4 + w] ^ labelA))
        }
      }
      gateNumber += count
    }
  }
  return collectOutputs(circuit, labels)
}

function collectOutputs(circuit: Circuit, labels: Uint32Array): Uint32Array {
  const out = new Uint32Array(BLOCK_WORDS * circuit.outputs.length)
  circuit.outputs.forEach((wire, i) => out.set(labels.subarray(BLOCK_WORDS * wire, BLOCK_WORDS * (wire + 1)), BLOCK_WORDS * i))
  return out
}
