/** Ending snarkjs's curve worker threads; it touches only a global, so it loads nothing of snarkjs. */

/**
 * ffjavascript keeps a pool of worker threads for the BN254 curve once snarkjs has used it;
 * a command-line process must end them to exit. A failed session can leave work running
 * (a proof step awaiting a peer that is gone) that builds the curve again after this ran,
 * which would start a new pool and keep the process alive. With `final` (a process that is
 * ending: the CLI), any curve ffjavascript caches from then on is ended as soon as it is
 * built; without it, later proofs in the same process work as before (tests, benches).
 */
export async function releaseProverThreads(options: { final?: boolean } = {}): Promise<void> {
  type Curve = { terminate(): Promise<void> }
  const holder = globalThis as { curve_bn128?: Curve | null }
  const cached = holder.curve_bn128
  if (options.final === true && !releaseInstalled) {
    releaseInstalled = true
    let current: Curve | null = null
    Object.defineProperty(globalThis, 'curve_bn128', {
      configurable: true,
      get: () => current,
      set: (curve: Curve | null) => {
        current = null
        if (curve) void curve.terminate().catch(() => undefined)
      },
    })
  }
  if (cached) await cached.terminate()
}

let releaseInstalled = false
