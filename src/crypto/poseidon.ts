/**
 * Poseidon over BN254 with circomlib's constants (Grassi et al., "Poseidon: A New Hash
 * Function for Zero-Knowledge Proof Systems", USENIX Security 2021, eprint 2019/458).
 *
 * This is the optimised evaluation of the paper's Appendix B ("equivalent representation"):
 * the round constants of the partial rounds are pushed forward through the linear layers so
 * that a partial round adds one constant, to state[0] only, and its t x t MDS mix becomes a
 * sparse matrix (a first row and a first column: 2t - 1 entries) once the dense matrix P is
 * applied before the partial rounds. We follow circomlib's `PoseidonEx` template
 * (circuits/poseidon.circom) step by step with its constants POSEIDON_C, POSEIDON_S,
 * POSEIDON_M, POSEIDON_P (circuits/poseidon_constants.circom, copied by
 * scripts/generate-poseidon-constants.ts into ./poseidon-constants.ts):
 *
 *   ark(0); 3 x [sigma on all, ark, mix M]; sigma on all, ark, mix P;
 *   nRoundsP x [sigma on state[0], + C on state[0], mixS(r)];
 *   3 x [sigma on all, ark, mix M]; sigma on all; mixLast (column 0 of M).
 *
 * It computes the same function as the plain round structure of circomlibjs and
 * poseidon-lite (every round: constants on all t words, a dense t x t mix), which
 * test/crypto/poseidon.test.ts and test/crypto/poseidon-optimized.test.ts check.
 *
 * Speed (native BigInt; `npm run bench -- poseidon`): a reduction `% p` of a product costs
 * about three multiplications, so the code is organised around doing few of them:
 * - sums of products are accumulated unreduced and reduced once per output word;
 * - in the partial rounds, words 1..t-1 only receive `+ x0 * S`: they are left unreduced
 *   for all the partial rounds (they grow by about 2p^2 a round, to ~515 bits after 63
 *   rounds, which keeps the products cheap) and reduced once afterwards;
 * - x^5 is `x2 = x*x % p; x2*x2*x % p`: two reductions; measured a little faster than
 *   three (x2, x4, x5 each reduced) and faster than poseidon-lite's single
 *   reduction of the 1270-bit x*x2*x2;
 * - the first S-box of state[0] acts on the constant C[0] (initial state 0), so its output
 *   is precomputed;
 * - constants are decoded into bigint arrays once per width, on first use; the state lives
 *   in two arrays per width reused by every call, so the hot loop allocates only bigints.
 * Every intermediate is a non-negative integer congruent to the specified value mod p, so
 * the single final reduction gives the canonical output bit for bit.
 */
import { Fr } from './field.js'
import { FULL_ROUNDS, POSEIDON_CONSTANTS_HEX } from './poseidon-constants.js'

const p = Fr.ORDER

const HALF_FULL_ROUNDS = FULL_ROUNDS / 2

/** x^5 mod p for x >= 0 (callers pass x < 2p or so). */
function pow5(x: bigint): bigint {
  const x2 = (x * x) % p
  return (x2 * x2 * x) % p
}

interface Width {
  readonly t: number
  readonly partialRounds: number
  /** POSEIDON_C(t), in the order PoseidonEx consumes it. */
  readonly C: readonly bigint[]
  /** POSEIDON_S(t): per partial round r, 2t - 1 entries from (2t - 1) r. */
  readonly S: readonly bigint[]
  /** Mix(t, M) computes out[i] = sum_j M[j][i] in[j]; stored transposed: MT[i * t + j] = M[j][i]. */
  readonly MT: readonly bigint[]
  /** The same for P. */
  readonly PT: readonly bigint[]
  /** sigma(C[0]) + C[t]: the first full round's output word 0 before the mix, a constant. */
  readonly firstSbox0: bigint
  /** Scratch state, reused by every call of this width (the hash is synchronous). */
  readonly state: bigint[]
  readonly sboxed: bigint[]
}

const widths = new Map<number, Width>()

function decodeTable(hex: string): bigint[] {
  return hex
    .trim()
    .split('\n')
    .map((line) => BigInt(`0x${line}`))
}

function transpose(matrix: readonly bigint[], t: number): bigint[] {
  return Array.from({ length: t * t }, (_, k) => matrix[(k % t) * t + Math.floor(k / t)])
}

function widthFor(t: number): Width {
  let width = widths.get(t)
  if (width === undefined) {
    const hex = POSEIDON_CONSTANTS_HEX.find((entry) => entry.t === t)
    if (hex === undefined) throw new RangeError(`no Poseidon constants for width ${t}`)
    const C = decodeTable(hex.C)
    width = {
      t,
      partialRounds: hex.partialRounds,
      C,
      S: decodeTable(hex.S),
      MT: transpose(decodeTable(hex.M), t),
      PT: transpose(decodeTable(hex.P), t),
      firstSbox0: pow5(C[0]) + C[t],
      state: new Array<bigint>(t).fill(0n),
      sboxed: new Array<bigint>(t).fill(0n),
    }
    widths.set(t, width)
  }
  return width
}

/**
 * A full round from `state`: sigma on every word, the round constants C[c..c+t), then the
 * mix by `matrixT` (transposed, see Width.MT), written back into `state`. Returns the next c.
 */
function fullRound(w: Width, c: number, matrixT: readonly bigint[]): number {
  const { t, C, state, sboxed } = w
  for (let j = 0; j < t; j++) sboxed[j] = pow5(state[j]) + C[c + j]
  mixInto(state, sboxed, matrixT, t)
  return c + t
}

function mixInto(out: bigint[], input: readonly bigint[], matrixT: readonly bigint[], t: number): void {
  for (let i = 0, row = 0; i < t; i++, row += t) {
    let acc = 0n
    for (let j = 0; j < t; j++) acc += matrixT[row + j] * input[j]
    out[i] = acc % p
  }
}

/** PoseidonEx(t - 1, 1) with initialState 0, on inputs already in [0, p). */
function permute(w: Width, inputs: readonly bigint[]): bigint {
  const { t, partialRounds, C, S, MT, PT, state, sboxed } = w

  // ark[0] and the first full round. state[0] = 0 + C[0], so its S-box output is the
  // precomputed firstSbox0; the inputs' words get sigma(input + C[j]) + C[t + j].
  sboxed[0] = w.firstSbox0
  for (let j = 1; j < t; j++) sboxed[j] = pow5(inputs[j - 1] + C[j]) + C[t + j]
  mixInto(state, sboxed, MT, t)
  let c = 2 * t

  // Full rounds 2 and 3 with M, then round 4 whose mix is P (PoseidonEx's mix[nRoundsF/2 - 1]).
  for (let r = 1; r < HALF_FULL_ROUNDS - 1; r++) c = fullRound(w, c, MT)
  c = fullRound(w, c, PT)

  // Partial rounds (MixS): x0 = sigma(state[0]) + C[c + r];
  //   state[0] <- sum_i S[b + i] * (i == 0 ? x0 : state[i]),  b = (2t - 1) r
  //   state[i] <- state[i] + x0 * S[b + t + i - 1]            for i >= 1.
  // Words 1..t-1 stay unreduced until the loop ends (see the header).
  const stride = 2 * t - 1
  for (let r = 0, b = 0; r < partialRounds; r++, b += stride) {
    const x0 = pow5(state[0]) + C[c + r]
    let acc = S[b] * x0
    for (let i = 1; i < t; i++) acc += S[b + i] * state[i]
    for (let i = 1; i < t; i++) state[i] += x0 * S[b + t + i - 1]
    state[0] = acc % p
  }
  for (let i = 1; i < t; i++) state[i] %= p
  c += partialRounds

  // Full rounds 5 to 7 with M.
  for (let r = 0; r < HALF_FULL_ROUNDS - 1; r++) c = fullRound(w, c, MT)

  // Round 8: sigma, no constants, and MixLast(t, M, 0): out = sum_j M[j][0] * in[j].
  let out = 0n
  for (let j = 0; j < t; j++) out += MT[j] * pow5(state[j])
  return out % p
}

/** The largest number of inputs: circomlib's widths t = 2..7 that poseidon-constants.ts carries. */
const MAX_INPUTS = 6
const canonical: bigint[] = []

export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > MAX_INPUTS) throw new RangeError(`Poseidon takes 1 to ${MAX_INPUTS} inputs, got ${inputs.length}`)
  // Inputs outside [0, p) are taken mod p, as a field element (the reference implementations
  // reduce them too); the rounds then only ever see non-negative values.
  let words = inputs
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]
    if (x < 0n || x >= p) {
      canonical.length = 0
      for (const y of inputs) canonical.push(((y % p) + p) % p)
      words = canonical
      break
    }
  }
  return permute(widthFor(inputs.length + 1), words)
}

/** The deactivation commitment c = H(s + 1) (DESIGN 2.2). */
export function commitmentOf(secret: bigint): bigint {
  return poseidon([secret + 1n])
}

/**
 * A real leaf: H(K, c, i) for the leaf key K, the commitment c and the leaf's index i
 * (DESIGN 2.5, "unique leaves"). Binding i makes two deactivations with the same c get
 * unrelated leaves, so comparing public leaves tells nobody whether a key was active.
 */
export function realLeafOf(K: bigint, commitment: bigint, index: number | bigint): bigint {
  return poseidon([K, commitment, BigInt(index)])
}

/** The reactivation nullifier N = H(s + 2) (DESIGN 2.3). */
export function nullifierOf(secret: bigint): bigint {
  return poseidon([secret + 2n])
}
