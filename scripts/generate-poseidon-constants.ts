/**
 * Regenerates src/crypto/poseidon-constants.ts from circomlib's
 * circuits/poseidon_constants.circom: the constants of the optimised Poseidon that
 * circomlib's `PoseidonEx` template evaluates (round constants C, sparse partial-round
 * matrices S, MDS matrix M, pre-partial-round matrix P; Grassi et al., "Poseidon",
 * eprint 2019/458, Appendix B).
 *
 *   npx tsx scripts/generate-poseidon-constants.ts
 *
 * Only the widths src/crypto/poseidon.ts accepts are emitted (t = 2..7, 1 to 6 inputs), so
 * that loading the module stays cheap. test/crypto/poseidon-optimized.test.ts renders the
 * file again in memory and fails if the committed copy drifts from circomlib.
 *
 * The output keeps each table as a text block of 64-digit hex numbers, one per line:
 * parsing a few string literals is cheaper at start-up than thousands of bigint literals,
 * and src/crypto/poseidon.ts turns one width's tables into bigints on first use.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** State widths t to emit: 1 to 6 inputs, what `poseidon()` accepts. */
export const WIDTHS = [2, 3, 4, 5, 6, 7] as const
const FULL_ROUNDS = 8
const MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

export const OUTPUT_PATH = fileURLToPath(new URL('../src/crypto/poseidon-constants.ts', import.meta.url))

export interface CircomlibSources {
  version: string
  /** circuits/poseidon_constants.circom */
  constants: string
  /** circuits/poseidon.circom, for N_ROUNDS_P */
  template: string
}

export function readCircomlibSources(): CircomlibSources {
  const require = createRequire(import.meta.url)
  const root = dirname(require.resolve('circomlib/package.json'))
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  return {
    version,
    constants: readFileSync(join(root, 'circuits', 'poseidon_constants.circom'), 'utf8'),
    template: readFileSync(join(root, 'circuits', 'poseidon.circom'), 'utf8'),
  }
}

/** The body of `function NAME(t) { ... }`, up to the next function or the end of the file. */
function functionBody(source: string, name: string): string {
  const start = source.indexOf(`function ${name}(t)`)
  if (start < 0) throw new Error(`poseidon_constants.circom has no function ${name}`)
  const next = source.indexOf('\nfunction ', start + 1)
  return source.slice(start, next < 0 ? undefined : next)
}

/** The array literal returned in the `t == width` branch of a POSEIDON_* function, nesting kept. */
function returnedArray(body: string, name: string, width: number): unknown {
  const branch = new RegExp(`t\\s*==\\s*${width}\\s*\\)\\s*\\{\\s*return\\s*\\[`).exec(body)
  if (branch === null) throw new Error(`${name} has no branch for t = ${width}`)
  const open = branch.index + branch[0].length - 1
  let depth = 0
  let close = open
  for (; close < body.length; close++) {
    if (body[close] === '[') depth++
    else if (body[close] === ']' && --depth === 0) break
  }
  if (depth !== 0) throw new Error(`${name}(${width}): unbalanced brackets`)
  const literal = body.slice(open, close + 1)
  // Every entry is a hex literal; quote them so the array parses as JSON.
  if (!/^[\s[\],0-9a-fA-Fx]*$/.test(literal)) throw new Error(`${name}(${width}): unexpected token in the array`)
  return JSON.parse(literal.replace(/0x[0-9a-fA-F]+/g, (hex) => `"${hex}"`))
}

function flatHex(value: unknown, name: string, width: number, expected: number): string[] {
  const flat = (Array.isArray(value) ? value.flat(2) : []) as unknown[]
  if (flat.length !== expected) throw new Error(`${name}(${width}): ${flat.length} entries, expected ${expected}`)
  return flat.map((entry) => {
    if (typeof entry !== 'string') throw new Error(`${name}(${width}): non-hex entry`)
    const n = BigInt(entry)
    if (n >= MODULUS) throw new Error(`${name}(${width}): entry not reduced mod p`)
    return n.toString(16).padStart(64, '0')
  })
}

function partialRoundsOf(template: string): number[] {
  const match = /var\s+N_ROUNDS_P\s*\[\s*\d+\s*\]\s*=\s*\[([\d\s,]+)\]/.exec(template)
  if (match === null) throw new Error('poseidon.circom: N_ROUNDS_P not found')
  return match[1].split(',').map((n) => Number(n.trim()))
}

const block = (lines: string[]) => `\`\n${lines.join('\n')}\n\``

/** The text of src/crypto/poseidon-constants.ts for the given circomlib sources. */
export function renderPoseidonConstants(sources: CircomlibSources): string {
  const partialRounds = partialRoundsOf(sources.template)
  const bodies = Object.fromEntries(['POSEIDON_C', 'POSEIDON_S', 'POSEIDON_M', 'POSEIDON_P'].map((name) => [name, functionBody(sources.constants, name)]))
  const sourceHash = createHash('sha256').update(sources.constants).digest('hex')
  const entries = WIDTHS.map((t) => {
    const rounds = partialRounds[t - 2]
    const table = (name: string, expected: number) => flatHex(returnedArray(bodies[name], name, t), name, t, expected)
    // Sizes as PoseidonEx declares them: C[t*nRoundsF + nRoundsP], S[nRoundsP*(2t-1)], M, P [t][t].
    return [
      `  {`,
      `    t: ${t},`,
      `    partialRounds: ${rounds},`,
      `    C: ${block(table('POSEIDON_C', t * FULL_ROUNDS + rounds))},`,
      `    S: ${block(table('POSEIDON_S', rounds * (2 * t - 1)))},`,
      `    M: ${block(table('POSEIDON_M', t * t))},`,
      `    P: ${block(table('POSEIDON_P', t * t))},`,
      `  },`,
    ].join('\n')
  })
  return `// GENERATED FILE, DO NOT EDIT. Regenerate with: npx tsx scripts/generate-poseidon-constants.ts
// Source: circomlib ${sources.version}, circuits/poseidon_constants.circom (sha256 ${sourceHash})
// and N_ROUNDS_P of circuits/poseidon.circom. Widths t = ${WIDTHS.join(', ')}.
//
// Each table is a block of 64-digit hex numbers, one per line, in circomlib's order;
// matrices are flattened row by row (M[row * t + col] = circomlib's M[row][col]).
// test/crypto/poseidon-optimized.test.ts fails if this file drifts from the generator.

export const FULL_ROUNDS = ${FULL_ROUNDS}

export interface PoseidonConstantsHex {
  /** State width: inputs + 1. */
  readonly t: number
  readonly partialRounds: number
  /** POSEIDON_C(t): t * FULL_ROUNDS + partialRounds round constants. */
  readonly C: string
  /** POSEIDON_S(t): partialRounds * (2t - 1) entries of the sparse partial-round matrices. */
  readonly S: string
  /** POSEIDON_M(t): the MDS matrix, t * t. */
  readonly M: string
  /** POSEIDON_P(t): the matrix applied before the partial rounds, t * t. */
  readonly P: string
}

export const POSEIDON_CONSTANTS_HEX: readonly PoseidonConstantsHex[] = [
${entries.join('\n')}
]
`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderPoseidonConstants(readCircomlibSources())
  writeFileSync(OUTPUT_PATH, text)
  console.log(`wrote ${OUTPUT_PATH} (${text.length} bytes)`)
}
