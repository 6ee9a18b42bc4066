/**
 * TEST ONLY: circom's .sym file, which the tests use to name wires; one line per signal, `labelIndex,witnessIndex,componentIndex,name`.
 * A witness index of -1 marks a signal the optimiser (--O1/--O2) removed: its value is a
 * linear combination of kept wires and has no witness slot of its own.
 */
import { readFile } from 'node:fs/promises'

export interface SymbolEntry {
  readonly label: number
  /** Index into the witness, or -1 when the optimiser removed the signal. */
  readonly witness: number
  readonly component: number
  readonly name: string
}

export class SymbolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SymbolError'
  }
}

export class SymbolTable {
  private readonly byName = new Map<string, SymbolEntry>()
  private readonly byWitness = new Map<number, SymbolEntry[]>()

  constructor(readonly entries: readonly SymbolEntry[]) {
    for (const entry of entries) {
      if (this.byName.has(entry.name)) throw new SymbolError(`signal ${entry.name} appears twice`)
      this.byName.set(entry.name, entry)
      if (entry.witness < 0) continue
      const names = this.byWitness.get(entry.witness)
      if (names === undefined) this.byWitness.set(entry.witness, [entry])
      else names.push(entry)
    }
  }

  /** The witness index of a signal (e.g. `main.link`), -1 if the optimiser removed it. */
  witnessIndex(name: string): number {
    const entry = this.byName.get(name)
    if (entry === undefined) throw new SymbolError(`no signal named ${name}`)
    return entry.witness
  }

  /** The signals stored at a witness index (several names can share one wire). */
  namesAt(witness: number): string[] {
    return (this.byWitness.get(witness) ?? []).map((entry) => entry.name)
  }

  /** Witness indices of the kept signals whose name starts with `prefix` (a component path). */
  wiresUnder(prefix: string): number[] {
    const wires = new Set<number>()
    for (const entry of this.entries) {
      if (entry.witness >= 0 && entry.name.startsWith(prefix)) wires.add(entry.witness)
    }
    return [...wires].sort((x, y) => x - y)
  }
}

export function parseSymbols(text: string): SymbolTable {
  const entries: SymbolEntry[] = []
  text.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return
    const match = /^(\d+),(-1|\d+),(\d+),(.+)$/.exec(line.trim())
    if (match === null) throw new SymbolError(`line ${lineIndex + 1} is not a symbol: ${line.slice(0, 60)}`)
    entries.push({ label: Number(match[1]), witness: Number(match[2]), component: Number(match[3]), name: match[4] })
  })
  return new SymbolTable(entries)
}

export async function readSymbols(path: string): Promise<SymbolTable> {
  return parseSymbols(await readFile(path, 'utf8'))
}
