/**
 * Where each wire of the leaf-opening witness comes from, so that each party can build its
 * additive share of the witness without the other's inputs (DESIGN 2.3, step 1).
 *
 * Every kept wire is the constant 1, or a circuit input or an S-box value (x, x^2, x^4,
 * x^5) of one of the circuit's three Poseidon hashes, plus a public constant offset
 * (circomlib's optimised Poseidon keeps `ark` outputs, an S-box output plus a round
 * constant, where --O2 removed the S-box output itself):
 *   link         = H(commitment, leaf, rho)  voter-known
 *   keyCommitment = H(K, kappa)             operator-known
 *   realLeaf     = H(K, commitment, index)  shared: computed on shares in the 2PC
 * The layout is found by evaluating the circuit in clear on two independent random inputs:
 * a wire follows a candidate when its value minus the candidate's is the same constant in
 * both runs (random inputs make accidental matches negligible). A third evaluation checks
 * the whole layout. It depends only on the compiled circuit.
 */
import { Fr, randomFieldElement } from '../crypto/field.js'
import { realLeafOf } from '../crypto/poseidon.js'
import { MaciAnonError } from '../errors.js'
import { artifactsOf } from './artifacts.js'
import { poseidonTrace, sboxCount, type PoseidonTrace, type SboxValues } from './poseidon-trace.js'
import { WitnessEvaluator } from './witness-evaluator.js'

export type Party = 'voter' | 'operator'
export type HashName = 'link' | 'keyCommitment' | 'realLeaf'
export type InputName = 'link' | 'keyCommitment' | 'commitment' | 'leaf' | 'rho' | 'index' | 'K' | 'kappa'

export type WireSource =
  | { kind: 'one' }
  | { kind: 'input'; name: InputName; offset: bigint }
  | { kind: 'sbox'; hash: HashName; index: number; power: keyof SboxValues<bigint>; offset: bigint }

export interface VoterInputs {
  commitment: bigint
  leaf: bigint
  rho: bigint
  /** The leaf's position in the tree, bound into a real leaf H(K, c, index). */
  index: bigint
}

export interface OperatorInputs {
  K: bigint
  kappa: bigint
}

export class WitnessLayoutError extends MaciAnonError {
  constructor(detail: string) {
    super('WITNESS_LAYOUT', detail)
  }
}

const INPUT_OWNER: Record<InputName, Party> = {
  link: 'voter',
  commitment: 'voter',
  leaf: 'voter',
  rho: 'voter',
  index: 'voter',
  keyCommitment: 'operator',
  K: 'operator',
  kappa: 'operator',
}

const HASH_OWNER: Record<HashName, Party | 'shared'> = { link: 'voter', keyCommitment: 'operator', realLeaf: 'shared' }

/** Who knows a wire's value in clear; 'shared' wires exist only as shares. */
export function ownerOf(source: WireSource): Party | 'shared' | 'public' {
  if (source.kind === 'one') return 'public'
  return source.kind === 'input' ? INPUT_OWNER[source.name] : HASH_OWNER[source.hash]
}

interface ClearValues {
  inputs: Record<InputName, bigint>
  traces: Record<HashName, PoseidonTrace<bigint>>
}

function clearValues(voter: VoterInputs, operator: OperatorInputs): ClearValues {
  const traces = {
    link: poseidonTrace([voter.commitment, voter.leaf, voter.rho]),
    keyCommitment: poseidonTrace([operator.K, operator.kappa]),
    realLeaf: poseidonTrace([operator.K, voter.commitment, voter.index]),
  }
  return {
    inputs: { ...voter, ...operator, link: traces.link.output, keyCommitment: traces.keyCommitment.output },
    traces,
  }
}

function baseValue(source: WireSource, values: ClearValues): bigint {
  if (source.kind === 'one') return 1n
  if (source.kind === 'input') return values.inputs[source.name]
  return values.traces[source.hash].sboxes[source.index][source.power]
}

function valueOf(source: WireSource, values: ClearValues): bigint {
  return source.kind === 'one' ? 1n : Fr.create(baseValue(source, values) + source.offset)
}

function randomValidInputs(): { voter: VoterInputs; operator: OperatorInputs } {
  const operator = { K: randomFieldElement(), kappa: randomFieldElement() }
  const commitment = randomFieldElement()
  // A random field element as the index, not a small integer: a wire equal to the index plus
  // a constant must not match another candidate by accident.
  const index = randomFieldElement()
  return { voter: { commitment, leaf: realLeafOf(operator.K, commitment, index), rho: randomFieldElement(), index }, operator }
}

/** Every input and S-box value, each a candidate source with offset 0. */
function candidates(): WireSource[] {
  const sources: WireSource[] = (Object.keys(INPUT_OWNER) as InputName[]).map((name) => ({ kind: 'input', name, offset: 0n }))
  const sboxes = { link: sboxCount(3), keyCommitment: sboxCount(2), realLeaf: sboxCount(3) }
  for (const hash of Object.keys(HASH_OWNER) as HashName[]) {
    for (let index = 0; index < sboxes[hash]; index++) {
      for (const power of ['in', 'in2', 'in4', 'out'] as const) sources.push({ kind: 'sbox', hash, index, power, offset: 0n })
    }
  }
  return sources
}

let cached: Promise<WireSource[]> | undefined

/** The layout of the committed leaf-opening circuit, computed once per process. */
export function leafOpeningLayout(): Promise<WireSource[]> {
  cached ??= deriveLayout()
  return cached
}

async function evaluateRandom(evaluator: WitnessEvaluator): Promise<{ values: ClearValues; witness: bigint[] }> {
  const { voter, operator } = randomValidInputs()
  const values = clearValues(voter, operator)
  const { witness, failedAsserts } = await evaluator.evaluate({ ...values.inputs })
  if (failedAsserts.length > 0) throw new WitnessLayoutError(`valid inputs failed: ${failedAsserts.join('; ')}`)
  return { values, witness }
}

async function deriveLayout(): Promise<WireSource[]> {
  const evaluator = await WitnessEvaluator.load(artifactsOf('leaf_opening').wasm)
  const runs = [await evaluateRandom(evaluator), await evaluateRandom(evaluator)]
  const sources = candidates()
  const layout = runs[0].witness.map((_value, wire): WireSource => {
    if (wire === 0) return { kind: 'one' }
    for (const source of sources) {
      const [first, second] = runs.map((run) => Fr.create(run.witness[wire] - baseValue(source, run.values)))
      if (first === second) return { ...source, offset: first } as WireSource
    }
    throw new WitnessLayoutError(`wire ${wire} is not an input or S-box value plus a constant`)
  })
  const check = await evaluateRandom(evaluator)
  check.witness.forEach((value, wire) => {
    if (valueOf(layout[wire], check.values) !== value) throw new WitnessLayoutError(`wire ${wire} does not follow its source`)
  })
  return layout
}

/**
 * The part of one party's additive share it knows before the 2PC: wires it knows in clear
 * get their value, every other wire 0 (the other party's, and the shared ones that the 2PC
 * computes). The constant wire is in the voter's share: the voter holds the proof's
 * constants (joint-proof.ts).
 */
export function knownShare(layout: readonly WireSource[], party: Party, own: VoterInputs | OperatorInputs): bigint[] {
  const ownTrace =
    party === 'voter'
      ? poseidonTrace([(own as VoterInputs).commitment, (own as VoterInputs).leaf, (own as VoterInputs).rho])
      : poseidonTrace([(own as OperatorInputs).K, (own as OperatorInputs).kappa])
  const ownHash: HashName = party === 'voter' ? 'link' : 'keyCommitment'
  const ownInputs: Partial<Record<InputName, bigint>> = { ...own, [ownHash]: ownTrace.output }
  return layout.map((source) => {
    if (source.kind === 'one') return party === 'voter' ? 1n : 0n
    if (ownerOf(source) !== party) return 0n
    const base = source.kind === 'input' ? (ownInputs[source.name] as bigint) : ownTrace.sboxes[source.index][source.power]
    return Fr.create(base + source.offset)
  })
}

/**
 * One party's additive share of the witness: its known share (`knownShare`) with the shared
 * wires filled in from its share of the trace of H(K, commitment, index). The operator adds
 * the shared wires' public offsets.
 */
export function witnessShare(
  layout: readonly WireSource[],
  party: Party,
  known: readonly bigint[],
  sharedTrace: PoseidonTrace<bigint>,
): bigint[] {
  if (known.length !== layout.length) throw new WitnessLayoutError(`known share has ${known.length} wires, the layout ${layout.length}`)
  return layout.map((source, wire) => {
    if (source.kind !== 'sbox' || ownerOf(source) !== 'shared') return known[wire]
    const offset = party === 'operator' ? source.offset : 0n
    return Fr.create(sharedTrace.sboxes[source.index][source.power] + offset)
  })
}
