/**
 * The collaborative prover's ShareArithmetic on the real MPC engine: multiplications consume
 * Beaver triples (Beaver, CRYPTO 1991) made beforehand by OT (src/mpc/triples.ts), openings
 * exchange shares over the session's channel. Every multiplication takes the next unused
 * triples, so no triple serves twice.
 */
import { beaverMultiply, open } from '../mpc/arithmetic.js'
import { randomFieldElements } from '../mpc/field.js'
import { exchangeMessages, MessageTag, type MpcSession } from '../mpc/session.js'
import type { TripleShares } from '../mpc/triples.js'
import { addPointShares, CollaborativeProverError, type ShareArithmetic } from './collaborative-groth16.js'
import { loadBn128 } from './zkey.js'

const G1_BYTES = 64
const G2_BYTES = 128

export class BeaverArithmetic implements ShareArithmetic {
  private used = 0

  constructor(
    private readonly session: MpcSession,
    private readonly triples: TripleShares,
  ) {}

  get party(): 0 | 1 {
    return this.session.party
  }

  get remainingTriples(): number {
    return this.triples.a.length - this.used
  }

  async multiply(x: bigint[], y: bigint[]): Promise<bigint[]> {
    if (x.length !== y.length) throw new CollaborativeProverError('multiply needs vectors of one length')
    if (x.length > this.remainingTriples) {
      throw new CollaborativeProverError(`${x.length} multiplications requested, ${this.remainingTriples} triples left`)
    }
    const from = this.used
    this.used += x.length
    const slice = (values: bigint[]) => values.slice(from, this.used)
    return beaverMultiply(this.session, x, y, { a: slice(this.triples.a), b: slice(this.triples.b), c: slice(this.triples.c) })
  }

  openScalars(x: bigint[]): Promise<bigint[]> {
    return open(this.session, x)
  }

  async openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<{ g1: Uint8Array[]; g2: Uint8Array[] }> {
    const own = new Uint8Array(g1.length * G1_BYTES + g2.length * G2_BYTES)
    g1.forEach((point, i) => own.set(point, i * G1_BYTES))
    g2.forEach((point, i) => own.set(point, g1.length * G1_BYTES + i * G2_BYTES))
    const received = await exchangeMessages(this.session, MessageTag.openedPoints, own, own.length)
    const peer = {
      g1: g1.map((_, i) => received.slice(i * G1_BYTES, (i + 1) * G1_BYTES)),
      g2: g2.map((_, i) => received.slice(g1.length * G1_BYTES + i * G2_BYTES, g1.length * G1_BYTES + (i + 1) * G2_BYTES)),
    }
    return addPointShares(await loadBn128(), { g1, g2 }, peer)
  }

  randomScalars(count: number): bigint[] {
    return randomFieldElements(count)
  }
}
