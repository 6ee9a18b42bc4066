/**
 * Clear-text witness computation with the circuit's own circom wasm that goes on past a failed
 * assertion. Inputs that break the leaf-opening circuit's cross-party equality
 * (`H(K, c, i) === leaf`) would make the wasm's assertion abort the computation; the evaluator
 * here instantiates the wasm with a runtime whose assertion handler records the failure and
 * returns, which lets the generated code go on (circom ends the failing template's body there;
 * in leaf_opening the equality is the template's last statement). Callers see every failed
 * assertion's message and decide whether the witness is complete: the witness layout
 * (witness-layout.ts) needs satisfying runs, the reference prover (reference-prover.ts) proves
 * either way, with the validity bit telling which.
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
