/**
 * An ideal correlated OT for testing the layers above OT alone, as emp-ot's ideal.h does:
 * both ends of a pair stretch the same seeds, one per direction, with the AES-CTR PRG into
 * that direction's delta (lowest bit 1) and the sender's q_j, and the receiver computes
 * t_j = q_j ^ r_j * delta itself. Nothing is sent and nothing is hidden (the receiver knows
 * delta), so a test over it sees only the traffic and the work of the layer under test.
 */
import { randomBytes } from 'node:crypto'
import type { CorrelatedOt, CorrelatedOtSenderOutput } from '../../../src/mpc/ot-extension.js'
import { AesCtrPrg } from '../../../src/mpc/prg.js'
import type { Party } from '../../../src/mpc/session.js'
import { BLOCK_BYTES, BLOCK_WORDS, wordsOf } from '../../../src/mpc/words.js'

/** One direction as one end sees it: the shared stream of delta, then every q_j in call order. */
class Direction {
  private readonly prg: AesCtrPrg
  readonly delta: Uint32Array

  constructor(seed: Uint8Array) {
    this.prg = new AesCtrPrg(seed)
    this.delta = wordsOf(this.prg.next(BLOCK_BYTES))
    this.delta[0] |= 1
  }

  next(count: number): Uint32Array {
    return wordsOf(this.prg.next(BLOCK_BYTES * count))
  }
}

function idealEnd(sendSeed: Uint8Array, receiveSeed: Uint8Array): CorrelatedOt {
  const sending = new Direction(sendSeed)
  const receiving = new Direction(receiveSeed)
  return {
    async send(count: number): Promise<CorrelatedOtSenderOutput> {
      return { delta: sending.delta, messages: sending.next(count) }
    },
    async receive(choices: Uint8Array): Promise<Uint32Array> {
      if (choices.some((choice) => choice > 1)) throw new RangeError('a choice is 0 or 1')
      const rows = receiving.next(choices.length)
      for (let w = 0; w < rows.length; w++) rows[w] ^= -choices[Math.floor(w / BLOCK_WORDS)] & receiving.delta[w % BLOCK_WORDS]
      return rows
    },
  }
}

/** The ideal COT of party 0 and of party 1, in that order: what one sends, the other receives. */
export function idealCorrelatedOtPair(): Record<Party, CorrelatedOt> {
  const seeds = [randomBytes(16), randomBytes(16)]
  return { 0: idealEnd(seeds[0], seeds[1]), 1: idealEnd(seeds[1], seeds[0]) }
}
