/**
 * Poseidon (Grassi et al., USENIX 2021) evaluated round by round, keeping every S-box's
 * input and its powers x^2, x^4, x^5: the values that circomlib's `Sigma` template turns into
 * the signals in2, in4 and out. The S-box inputs of circomlib's optimised Poseidon equal
 * those of this reference form (its rewrite moves only linear work), so these are the
 * non-linear wires a compiled Poseidon keeps.
 *
 * The same round structure runs in clear (`poseidonTrace`) and on additive shares
 * (`sharedPoseidonTrace`): the linear layers are local, and each S-box layer costs one
 * opening thanks to precomputed power tuples (r, r^2, ..., r^5): with d = x - r public,
 * x^k = sum_j binom(k, j) d^j r^(k-j), a local combination of the shares of r^j. A tuple
 * takes two squarings (r^2, r^4) and two multiplications (r^3, r^5): three triples' worth of
 * preprocessing, against four for x^2, x^4, x^5 by multiplication alone. The tuples use no
 * input, so they are made beforehand (`sharedPowerTuples`), in the preprocessing, and the
 * hash itself costs one round per Poseidon round.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Fr } from '../crypto/field.js'
import type { ShareArithmetic } from './share-arithmetic.js'

const FULL_ROUNDS = 8
const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]

interface RoundConstants {
  C: bigint[]
  M: bigint[][]
}

const require = createRequire(import.meta.url)
// poseidon-lite ships circomlib's reference constants (round constants C, MDS matrix M) as
// base64 tables but does not export them; read its files by path.
const constantsDirectory = join(dirname(require.resolve('poseidon-lite')), 'constants')
const constantsCache = new Map<number, RoundConstants>()

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode)
  if (typeof value === 'string') return BigInt(`0x${Buffer.from(value, 'base64').toString('hex') || '0'}`)
  return Object.fromEntries(Object.entries(value as object).map(([key, inner]) => [key, decode(inner)]))
}

function constantsFor(inputs: number): RoundConstants {
  let constants = constantsCache.get(inputs)
  if (constants === undefined) {
    const table = (require(join(constantsDirectory, `${inputs}.js`)) as { default: unknown }).default
    constants = decode(table) as RoundConstants
    constantsCache.set(inputs, constants)
  }
  return constants
}

/** One S-box application: its input and the three products circom keeps. */
export interface SboxValues<T> {
  in: T
  in2: T
  in4: T
  out: T
}

export interface PoseidonTrace<T> {
  sboxes: SboxValues<T>[]
  output: T
}

/** Round structure shared by the clear and the shared evaluation. */
function* rounds(inputs: number): Generator<{ round: number; full: boolean; width: number }> {
  const width = inputs + 1
  const partial = PARTIAL_ROUNDS[inputs - 1]
  for (let round = 0; round < FULL_ROUNDS + partial; round++) {
    const full = round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + partial
    yield { round, full, width }
  }
}

function mix(state: bigint[], M: bigint[][]): bigint[] {
  return M.map((row) => Fr.create(row.reduce((sum, coefficient, j) => sum + coefficient * state[j], 0n)))
}

export function sboxCount(inputs: number): number {
  return (inputs + 1) * FULL_ROUNDS + PARTIAL_ROUNDS[inputs - 1]
}

export function poseidonTrace(inputs: readonly bigint[]): PoseidonTrace<bigint> {
  const { C, M } = constantsFor(inputs.length)
  let state = [0n, ...inputs]
  const sboxes: SboxValues<bigint>[] = []
  for (const { round, full, width } of rounds(inputs.length)) {
    state = state.map((value, j) => Fr.create(value + C[round * width + j]))
    for (let j = 0; j < (full ? width : 1); j++) {
      const x = state[j]
      const in2 = Fr.sqr(x)
      const in4 = Fr.sqr(in2)
      const out = Fr.mul(in4, x)
      sboxes.push({ in: x, in2, in4, out })
      state[j] = out
    }
    state = mix(state, M)
  }
  return { sboxes, output: state[0] }
}

/** Shares of the power tuples (r, r^2, r^3, r^4, r^5) one shared Poseidon consumes, one per S-box. */
export interface PowerTuples {
  /** The hash's input count, which fixes its S-box count. */
  readonly inputs: number
  /** powers[k - 1][j]: this party's share of r_j^k. */
  readonly powers: readonly (readonly bigint[])[]
}

/**
 * The power tuples of one shared Poseidon with `inputs` inputs: four rounds on the peer,
 * independent of any input. Each tuple serves one S-box once.
 */
export async function sharedPowerTuples(arithmetic: ShareArithmetic, inputs: number): Promise<PowerTuples> {
  const r = arithmetic.randomScalars(sboxCount(inputs))
  const r2 = await arithmetic.square(r)
  const r3 = await arithmetic.multiply(r2, r)
  const r4 = await arithmetic.square(r2)
  const r5 = await arithmetic.multiply(r4, r)
  return { inputs, powers: [r, r2, r3, r4, r5] }
}

/** Multiplications and squarings that `sharedPoseidonTrace` consumes for `inputs` inputs. */
export function poseidonPreprocessing(inputs: number): { multiplications: number; squarings: number } {
  return { multiplications: 2 * sboxCount(inputs), squarings: 2 * sboxCount(inputs) }
}

/**
 * Poseidon on additive shares of its inputs, consuming power tuples made for this input
 * count. Returns this party's shares of every S-box value and of the output. One opening per
 * S-box layer (one per Poseidon round). Party 0 adds the public constants.
 */
export async function sharedPoseidonTrace(
  inputShares: readonly bigint[],
  arithmetic: ShareArithmetic,
  tuples: PowerTuples,
): Promise<PoseidonTrace<bigint>> {
  if (tuples.inputs !== inputShares.length) {
    throw new RangeError(`power tuples for ${tuples.inputs} inputs, the hash has ${inputShares.length}`)
  }
  const { C, M } = constantsFor(inputShares.length)
  const lead = arithmetic.party === 0
  let state = [0n, ...inputShares]
  const sboxes: SboxValues<bigint>[] = []
  for (const { round, full, width } of rounds(inputShares.length)) {
    state = state.map((value, j) => (lead ? Fr.create(value + C[round * width + j]) : value))
    const active = full ? width : 1
    const first = sboxes.length
    const masked = await arithmetic.openScalars(
      state.slice(0, active).map((x, j) => Fr.create(x - tuples.powers[0][first + j])),
    )
    for (let j = 0; j < active; j++) {
      const [r, r2, r3, r4, r5] = tuples.powers.map((powers) => powers[first + j])
      const d = masked[j]
      const d2 = Fr.sqr(d)
      const d3 = Fr.mul(d2, d)
      const d4 = Fr.sqr(d2)
      const publicPart = (value: bigint) => (lead ? value : 0n)
      const in2 = Fr.create(publicPart(d2) + 2n * d * r + r2)
      const in4 = Fr.create(publicPart(d4) + 4n * d3 * r + 6n * d2 * r2 + 4n * d * r3 + r4)
      const out = Fr.create(publicPart(Fr.mul(d4, d)) + 5n * d4 * r + 10n * d3 * r2 + 10n * d2 * r3 + 5n * d * r4 + r5)
      sboxes.push({ in: state[j], in2, in4, out })
      state[j] = out
    }
    state = mix(state, M)
  }
  return { sboxes, output: state[0] }
}
