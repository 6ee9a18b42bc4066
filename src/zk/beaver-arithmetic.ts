/**
 * The ShareArithmetic driver (share-arithmetic.ts) on the real MPC engine: multiplications
 * consume Beaver triples (Beaver, CRYPTO 1991) and squarings consume square pairs (a, a^2),
 * both made beforehand by OT (src/mpc/triples.ts); openings exchange shares over the
 * session's channel. Each product takes preprocessing out of its pool, so none serves twice.
 */
import { randomFieldElements } from '../crypto/field.js'
import { beaverMultiply, beaverSquare, open, takeSquarePairs, takeTriples } from '../mpc/arithmetic.js'
import { exchangeMessages, MessageTag, type MpcSession } from '../mpc/session.js'
import type { SquareShares, TripleShares } from '../mpc/triples.js'
import { addPointShares, CollaborativeProverError } from './collaborative-groth16.js'
import { G1_BYTES, G2_BYTES, type PointVectors, type ShareArithmetic } from './share-arithmetic.js'
import { loadBn128 } from './zkey.js'

export interface Preprocessing {
  triples: TripleShares
  squares: SquareShares
}

export class BeaverArithmetic implements ShareArithmetic {
  constructor(
    private readonly session: MpcSession,
    private readonly pool: Preprocessing,
  ) {}

  get party(): 0 | 1 {
    return this.session.party
  }

  multiply(x: bigint[], y: bigint[]): Promise<bigint[]> {
    if (x.length !== y.length) throw new CollaborativeProverError('multiply needs vectors of one length')
    return beaverMultiply(this.session, x, y, takeTriples(this.pool.triples, x.length))
  }

  square(x: bigint[]): Promise<bigint[]> {
    return beaverSquare(this.session, x, takeSquarePairs(this.pool.squares, x.length))
  }

  openScalars(x: bigint[]): Promise<bigint[]> {
    return open(this.session, x)
  }

  async openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors> {
    const own = new Uint8Array(g1.length * G1_BYTES + g2.length * G2_BYTES)
    g1.forEach((point, i) => own.set(point, i * G1_BYTES))
    g2.forEach((point, i) => own.set(point, g1.length * G1_BYTES + i * G2_BYTES))
    const received = await exchangeMessages(this.session, MessageTag.openedPoints, own, own.length)
    const at = (offset: number, bytes: number) => received.slice(offset, offset + bytes)
    const peer = {
      g1: g1.map((_, i) => at(i * G1_BYTES, G1_BYTES)),
      g2: g2.map((_, i) => at(g1.length * G1_BYTES + i * G2_BYTES, G2_BYTES)),
    }
    return addPointShares(await loadBn128(), { g1, g2 }, peer)
  }

  randomScalars(count: number): bigint[] {
    return randomFieldElements(count)
  }
}
