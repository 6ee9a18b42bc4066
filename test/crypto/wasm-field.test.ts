import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Fr } from '../../src/crypto/field.js'
import { buildFrWasm, ELEMENT_BYTES, FIELD } from '../../src/crypto/wasm-field.js'

const random = () => BigInt(`0x${randomBytes(32).toString('hex')}`) % Fr.ORDER

describe('F_r in WebAssembly', () => {
  const wasm = buildFrWasm(() => undefined, 4 * ELEMENT_BYTES)
  const [a, b, out] = [wasm.heap, wasm.heap + ELEMENT_BYTES, wasm.heap + 2 * ELEMENT_BYTES]

  it('round-trips canonical elements, the edges included', () => {
    for (const value of [0n, 1n, 2n, Fr.ORDER - 1n, 1n << 253n, random()]) {
      wasm.write(a, value)
      expect(wasm.read(a)).toBe(value)
    }
  })

  it('refuses a value that is not canonical', () => {
    expect(() => wasm.write(a, Fr.ORDER)).toThrow(RangeError)
    expect(() => wasm.write(a, -1n)).toThrow(RangeError)
  })

  it('multiplies, adds and subtracts as the BigInt field does, on random inputs', () => {
    for (let i = 0; i < 200; i++) {
      const [x, y] = [random(), random()]
      wasm.write(a, x)
      wasm.write(b, y)
      wasm.exports[`${FIELD}_mul`](a, b, out)
      expect(wasm.read(out)).toBe(Fr.mul(x, y))
      wasm.exports[`${FIELD}_add`](a, b, out)
      expect(wasm.read(out)).toBe(Fr.add(x, y))
      wasm.exports[`${FIELD}_sub`](a, b, out)
      expect(wasm.read(out)).toBe(Fr.sub(x, y))
    }
  })

  it('gives the caller functions of its own over the same field', () => {
    const squarer = buildFrWasm((module) => {
      const f = module.addFunction('square_twice')
      f.addParam('p', 'i32')
      const c = f.getCodeBuilder()
      f.addCode(c.call(`${FIELD}_square`, c.getLocal('p'), c.getLocal('p')), c.call(`${FIELD}_square`, c.getLocal('p'), c.getLocal('p')))
      module.exportFunction('square_twice')
    }, ELEMENT_BYTES)
    const x = random()
    squarer.write(squarer.heap, x)
    squarer.exports.square_twice(squarer.heap)
    expect(squarer.read(squarer.heap)).toBe(Fr.pow(x, 4n))
  })
})
