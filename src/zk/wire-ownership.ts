/**
 * Which party knows each witness wire of the leaf-opening circuit (DESIGN 2.3: "a wire's owner
 * follows from what it depends on"). The clear witness is computed three times with the
 * circuit's own wasm: at base inputs, with only the voter's inputs changed, and with only the
 * operator's inputs changed. A wire that moves only with the voter's inputs is voter-known,
 * only with the operator's is operator-known, with both is shared (it needs the 2PC), and
 * with neither is a constant both parties know.
 *
 * Changing one party's inputs breaks the circuit's cross-party equality (`H(K, c, i) === leaf`),
 * so the wasm's assertion would abort the computation. The evaluator here instantiates the
 * circom wasm with a runtime whose assertion handler records the failure and returns, which
 * lets the generated code go on (circom ends the failing template's body there; in
 * leaf_opening the equality is the template's last statement). Callers see every failed
 * assertion's message and decide whether the witness is complete.
 */
import { readFile } from 'node:fs/promises'
import { WitnessCalculatorBuilder } from 'circom_runtime'

export type CircuitInputs = Record<string, bigint>

/** circom runtime error code for a failed `===` or `assert`. */
const ASSERT_FAILED = 4

interface WasmExports {
  getMessageChar(): number
}
interface WasmInstance {
  readonly exports: WasmExports
}
interface WasmRuntime {
  compile(bytes: Uint8Array): Promise<object>
  instantiate(module: object, imports: object): Promise<WasmInstance>
}
const wasmRuntime = (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly

export interface WitnessEvaluation {
  readonly witness: bigint[]
  /** The messages of the assertions that failed; empty for a satisfying input. */
  readonly failedAsserts: string[]
}

/** Clear-text witness computation that reports failed assertions instead of aborting. */
export class WitnessEvaluator {
  private constructor(private readonly module: object) {}

  static async load(wasm: string | Uint8Array): Promise<WitnessEvaluator> {
    const bytes = typeof wasm === 'string' ? await readFile(wasm) : wasm
    return new WitnessEvaluator(await wasmRuntime.compile(bytes))
  }

  /** A fresh instance per call, so no wire keeps a value from an earlier input. */
  async evaluate(input: CircuitInputs): Promise<WitnessEvaluation> {
    const failedAsserts: string[] = []
    let message = ''
    const drainMessage = () => {
      let text = ''
      for (let c = instance.exports.getMessageChar(); c !== 0; c = instance.exports.getMessageChar()) text += String.fromCharCode(c)
      return text
    }
    const instance = await wasmRuntime.instantiate(this.module, {
      runtime: {
        exceptionHandler(code: number) {
          if (code !== ASSERT_FAILED) throw new Error(`circom runtime error ${code}: ${message}`)
          failedAsserts.push(message.trim())
          message = ''
        },
        printErrorMessage() {
          message += drainMessage()
        },
        writeBufferMessage() {
          drainMessage()
        },
        showSharedRWMemory() {},
      },
    })
    const calculator = await WitnessCalculatorBuilder(instance)
    const witness = await calculator.calculateWitness(input)
    return { witness, failedAsserts }
  }
}

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
