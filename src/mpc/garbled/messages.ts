/**
 * The messages of the garbled two-party protocol (two-party.ts), with their exact lengths
 * and one encoding each (the Message interface of session.ts); the evaluator's input labels
 * come by correlated OT, whose columns message is in ../messages.ts.
 */
import { GarbledCircuitError } from '../errors.js'
import { type Message, MessageTag } from '../session.js'
import { BLOCK_BYTES, bytesOf, wordsOf } from '../words.js'
import type { Circuit } from './circuit.js'
import { TABLE_WORDS } from './half-gates.js'
import type { OutputMode } from './two-party.js'

/** Bits (one 0/1 byte each) packed LSB first, zero-padded to whole bytes. */
function packBitsToBytes(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => (out[i >>> 3] |= bit << (i & 7)))
  return out
}

/** The inverse of packBitsToBytes; set padding bits are refused, so every bit vector has one encoding. */
function unpackBytesToBits(bytes: Uint8Array, count: number): Uint8Array {
  if (count % 8 !== 0 && bytes[bytes.length - 1] >>> count % 8 !== 0) {
    throw new GarbledCircuitError('padding bits of an output message are set')
  }
  return Uint8Array.from({ length: count }, (_, i) => (bytes[i >>> 3] >>> (i & 7)) & 1)
}

export interface GarbledCircuit {
  /** The active labels of the garbler's inputs, 4 words each. */
  garblerLabels: Uint32Array
  /** The half-gates tables, TABLE_WORDS per AND gate in plan order. */
  tables: Uint32Array
  /** With 'to-evaluator' the permute bit of each output's zero label, else empty. */
  decoding: Uint8Array
}

export interface GarbledCircuitShape {
  circuit: Circuit
  mode: OutputMode
}

const decodingBytes = ({ circuit, mode }: GarbledCircuitShape) => (mode === 'to-evaluator' ? Math.ceil(circuit.outputs.length / 8) : 0)

/**
 * Garbler to evaluator: 16 bytes per garbler input bit, 32 bytes per AND gate, then
 * ceil(outputs / 8) decoding bytes when the evaluator learns the outputs.
 */
export const garbledCircuit: Message<GarbledCircuit, GarbledCircuitShape> = {
  tag: MessageTag.garbledCircuit,
  bytes: (shape) => BLOCK_BYTES * shape.circuit.garblerInputCount + 4 * TABLE_WORDS * shape.circuit.andCount + decodingBytes(shape),
  encode: ({ garblerLabels, tables, decoding }) => {
    const out = new Uint8Array(garblerLabels.byteLength + tables.byteLength + Math.ceil(decoding.length / 8))
    out.set(bytesOf(garblerLabels))
    out.set(bytesOf(tables), garblerLabels.byteLength)
    out.set(packBitsToBytes(decoding), garblerLabels.byteLength + tables.byteLength)
    return out
  },
  decode: (payload, { circuit, mode }) => {
    const labelBytes = BLOCK_BYTES * circuit.garblerInputCount
    const tableBytes = 4 * TABLE_WORDS * circuit.andCount
    return {
      garblerLabels: wordsOf(payload.subarray(0, labelBytes)),
      tables: wordsOf(payload.subarray(labelBytes, labelBytes + tableBytes)),
      decoding: mode === 'to-evaluator' ? unpackBytesToBits(payload.subarray(labelBytes + tableBytes), circuit.outputs.length) : new Uint8Array(0),
    }
  },
}

/** Evaluator to garbler, when the garbler learns the outputs: the evaluator's permute bits, packed. */
export const outputBits: Message<Uint8Array, number> = {
  tag: MessageTag.outputBits,
  bytes: (count) => Math.ceil(count / 8),
  encode: packBitsToBytes,
  decode: unpackBytesToBits,
}
