/** TEST ONLY: checks a clear witness against a parsed .r1cs. */
import { evaluateCombination, type ParsedR1cs } from '../../../src/zk/r1cs.js'

/** Indices of the constraints that `witness` does not satisfy. */
export function unsatisfiedConstraints(r1cs: ParsedR1cs, witness: bigint[]): number[] {
  const failed: number[] = []
  r1cs.constraints.forEach((constraint, index) => {
    const a = evaluateCombination(constraint.a, witness, r1cs.prime)
    const b = evaluateCombination(constraint.b, witness, r1cs.prime)
    const c = evaluateCombination(constraint.c, witness, r1cs.prime)
    if ((a * b - c) % r1cs.prime !== 0n) failed.push(index)
  })
  return failed
}
