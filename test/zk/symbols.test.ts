import { beforeAll, describe, expect, it } from 'vitest'
import { parseSymbols, readSymbols, SymbolError, type SymbolTable } from './helpers/symbols.js'
import { clearWitness, leafOpening, validInputs } from './helpers/leaf-opening.js'

describe('symbols', () => {
  let symbols: SymbolTable

  beforeAll(async () => {
    symbols = await readSymbols(leafOpening.sym)
  })

  it('puts the public inputs at witness indices 1 and 2', () => {
    expect(symbols.witnessIndex('main.link')).toBe(1)
    expect(symbols.witnessIndex('main.keyCommitment')).toBe(2)
  })

  it('maps every input signal to the wire that holds its value', async () => {
    const inputs = validInputs()
    const witness = await clearWitness(inputs)
    const all = { ...inputs.voter, ...inputs.operator }
    for (const [name, value] of Object.entries(all)) {
      const index = symbols.witnessIndex(`main.${name}`)
      expect(index, name).toBeGreaterThan(0)
      expect(witness[index], name).toBe(value)
    }
    expect(new Set(Object.keys(all).map((name) => symbols.witnessIndex(`main.${name}`))).size).toBe(Object.keys(all).length)
  })

  it('marks signals the optimiser removed with -1 and names what a wire holds', () => {
    expect(symbols.witnessIndex('main.kc.out')).toBe(-1)
    expect(symbols.witnessIndex('main.realLeaf.out')).toBe(-1)
    expect(symbols.namesAt(1)).toEqual(['main.link'])
    expect(symbols.wiresUnder('main.realLeaf.').length).toBeGreaterThan(200)
    expect(() => symbols.witnessIndex('main.nope')).toThrow(SymbolError)
  })

  it('refuses malformed lines and duplicate names', () => {
    expect(() => parseSymbols('1,1,0,main.a\nnot a symbol\n')).toThrow(SymbolError)
    expect(() => parseSymbols('1,1,0,main.a\n2,2,0,main.a\n')).toThrow(SymbolError)
    expect(parseSymbols('1,1,0,main.a\n2,-1,0,main.b\n').witnessIndex('main.b')).toBe(-1)
  })
})
