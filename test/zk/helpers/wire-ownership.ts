/**
 * TEST ONLY: which party knows each witness wire of the leaf-opening circuit (DESIGN 2.3: "a
 * wire's owner follows from what it depends on"). The clear witness is computed three times
 * with the circuit's own wasm (src/zk/witness-evaluator.ts, which goes on past the failed
 * cross-party equality): at base inputs, with only the voter's inputs changed, and with only
 * the operator's inputs changed. A wire that moves only with the voter's inputs is
 * voter-known, only with the operator's is operator-known, with both is shared (it needs the
 * 2PC), and with neither is a constant both parties know. The product derives its witness
 * layout otherwise (src/zk/witness-layout.ts); the tests check the two agree.
 */
import type { CircuitInputs, WitnessEvaluator } from '../../../src/zk/witness-evaluator.js'

export type WireOwner = 'constant' | 'voter' | 'operator' | 'shared'

export interface PartyInputs {
  readonly voter: CircuitInputs
  readonly operator: CircuitInputs
}

export interface WireOwnership {
  /** Owner of each witness wire, by witness index. */
  readonly owners: WireOwner[]
  readonly constant: number[]
  readonly voter: number[]
  readonly operator: number[]
  readonly shared: number[]
  /** Assertions that failed in the runs with only the voter's, only the operator's inputs changed. */
  readonly failedAsserts: { readonly voter: string[]; readonly operator: string[] }
}

export class OwnershipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OwnershipError'
  }
}

/**
 * Classifies every wire. `base` must satisfy the circuit; `alternative` gives each party's
 * other inputs (fresh random values, so that a wire that depends on an input moves with
 * overwhelming probability).
 */
export async function classifyWires(evaluator: WitnessEvaluator, base: PartyInputs, alternative: PartyInputs): Promise<WireOwnership> {
  const reference = await evaluator.evaluate({ ...base.voter, ...base.operator })
  if (reference.failedAsserts.length > 0) {
    throw new OwnershipError(`the base inputs do not satisfy the circuit: ${reference.failedAsserts.join('; ')}`)
  }
  const voterMoved = await evaluator.evaluate({ ...alternative.voter, ...base.operator })
  const operatorMoved = await evaluator.evaluate({ ...base.voter, ...alternative.operator })
  const owners = reference.witness.map((value, wire): WireOwner => {
    const byVoter = voterMoved.witness[wire] !== value
    const byOperator = operatorMoved.witness[wire] !== value
    if (byVoter && byOperator) return 'shared'
    if (byVoter) return 'voter'
    if (byOperator) return 'operator'
    return 'constant'
  })
  const wiresOf = (owner: WireOwner) => owners.flatMap((o, wire) => (o === owner ? [wire] : []))
  return {
    owners,
    constant: wiresOf('constant'),
    voter: wiresOf('voter'),
    operator: wiresOf('operator'),
    shared: wiresOf('shared'),
    failedAsserts: { voter: voterMoved.failedAsserts, operator: operatorMoved.failedAsserts },
  }
}
