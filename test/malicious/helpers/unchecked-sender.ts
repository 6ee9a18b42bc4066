/**
 * The IKNP extension sender as src/mpc/ot-extension.ts was before the KOS15 check (Ishai,
 * Kilian, Nissim, Petrank, CRYPTO 2003, semi-honest): it takes any columns and uses the rows
 * at once. Test-only, so that the attack tests can show what the check prevents; the
 * product has no unchecked path.
 */
import { randomBytes } from 'node:crypto'
import { baseOtReceive } from '../../../src/mpc/base-ot.js'
import { extensionColumnBytes, extensionColumns } from '../../../src/mpc/messages.js'
import { AesCtrPrg } from '../../../src/mpc/prg.js'
import { type MpcSession, receive } from '../../../src/mpc/session.js'
import { transpose128 } from '../../../src/mpc/transpose.js'
import { BLOCK_WORDS, wordsOf } from '../../../src/mpc/words.js'

export class UncheckedSender {
  private constructor(
    readonly delta: Uint32Array,
    private readonly prgs: AesCtrPrg[],
  ) {}

  static async setUp(session: MpcSession): Promise<UncheckedSender> {
    const delta = wordsOf(randomBytes(16))
    delta[0] |= 1
    const choices = Uint8Array.from({ length: 128 }, (_, i) => (delta[i >>> 5] >>> (i & 31)) & 1)
    const seeds = await baseOtReceive(session, choices)
    return new UncheckedSender(delta, seeds.map((seed) => new AesCtrPrg(seed)))
  }

  /** q_j for `count` OTs from the receiver's columns, whatever they are. */
  async extend(session: MpcSession, count: number): Promise<Uint32Array> {
    const received = await receive(session, extensionColumns, count)
    const columnBytes = extensionColumnBytes(count) / 128
    const columns = new Uint8Array(128 * columnBytes)
    for (let i = 0; i < 128; i++) {
      const u = received.subarray(i * columnBytes, (i + 1) * columnBytes)
      const deltaBit = (this.delta[i >>> 5] >>> (i & 31)) & 1
      columns.set(deltaBit === 1 ? this.prgs[i].mask(u) : this.prgs[i].next(columnBytes), i * columnBytes)
    }
    return transpose128(wordsOf(columns), columnBytes / 4).subarray(0, BLOCK_WORDS * count)
  }
}
