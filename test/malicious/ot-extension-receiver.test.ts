/**
 * Issue 9's deviating-voter harness, first part: an OT-extension receiver that sends an
 * inconsistent column, against the KOS15 check (Keller, Orsini, Scholl, CRYPTO 2015,
 * section 3) of src/mpc/ot-extension.ts, and against the semi-honest IKNP extension that
 * preceded it (helpers/unchecked-sender.ts).
 *
 * What the check can and cannot do with one column i built from another choice vector:
 * where delta_i = 0 the sender never uses that column's second seed, so its view and its
 * rows are exactly those of an honest run and no check can tell; where delta_i = 1 the
 * sender's rows are off by e_i and the check sees it. A deviating receiver therefore passes
 * exactly when it has guessed delta_i right, with probability 1/2 per guessed bit, and what it
 * then knows is that one bit (KOS15's guess-a-bit leakage). The tests pin this down
 * for each answer strategy and both values of delta_i; the strategy that guesses nothing is
 * refused for both. The semi-honest extension, by contrast, accepts every deviation, and 128
 * of them in one batch give the receiver all of delta and both messages of every OT.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OtExtensionError } from '../../src/mpc/errors.js'
import { correlatedOtReceive, correlatedOtSend, extendedCount, otExtensionSender } from '../../src/mpc/ot-extension.js'
import { AesCtrPrg } from '../../src/mpc/prg.js'
import { sessionHash } from '../../src/mpc/session.js'
import { generateTriples } from '../../src/mpc/triples.js'
import { writeTweak } from '../../src/mpc/tweakable-hash.js'
import { BLOCK_WORDS } from '../../src/mpc/words.js'
import { type TestSession, sessionPair } from '../mpc/helpers/sessions.js'
import { type AnswerStrategy, type Deviation, DeviatingReceiver, unit } from './helpers/deviating-receiver.js'
import { UncheckedSender } from './helpers/unchecked-sender.js'

const COUNT = 300

function randomChoices(n: number): Uint8Array {
  return Uint8Array.from(randomBytes(n), (byte) => byte & 1)
}

const bitOf = (delta: Uint32Array, i: number) => (delta[i >>> 5] >>> (i & 31)) & 1

/** A column i > 0 whose delta bit is `bit` (bit 0 is always 1: it is the point-and-permute bit). */
function columnWithBit(delta: Uint32Array, bit: number): number {
  const candidates = Array.from({ length: 127 }, (_, k) => k + 1).filter((i) => bitOf(delta, i) === bit)
  return candidates[randomInt(candidates.length)]
}

/** Whether t_j = q_j ^ r_j delta (^ correction_j, 4 words, where given) for every OT j. */
function correlated(q: Uint32Array, t: Uint32Array, choices: Uint8Array, delta: Uint32Array, corrections = new Map<number, Uint32Array>()): boolean {
  for (let j = 0; j < choices.length; j++) {
    const correction = corrections.get(j)
    for (let w = 0; w < BLOCK_WORDS; w++) {
      const expected = (q[BLOCK_WORDS * j + w] ^ (choices[j] ? delta[w] : 0) ^ (correction?.[w] ?? 0)) >>> 0
      if (t[BLOCK_WORDS * j + w] !== expected) return false
    }
  }
  return true
}

interface Setup {
  sessions: [TestSession, TestSession]
  delta: Uint32Array
  receiver: DeviatingReceiver
}

/** A session in which party 0 is the product's extension sender and party 1 the deviating receiver. */
async function setUp(): Promise<Setup> {
  const sessions = sessionPair({ timeoutMs: 10_000 })
  const [sender, receiver] = await Promise.all([otExtensionSender(sessions[0]), DeviatingReceiver.setUp(sessions[1])])
  return { sessions, delta: sender.delta, receiver }
}

type Outcome = { refused: true } | { refused: false; q: Uint32Array; t: Uint32Array }

/** One checked batch of COUNT OTs with `deviation`, the receiver answering as `strategy`. */
async function checkedBatch(setup: Setup, choices: Uint8Array, deviation: Deviation, strategy: AnswerStrategy): Promise<Outcome> {
  const [sent, received] = await Promise.allSettled([
    correlatedOtSend(setup.sessions[0], COUNT),
    setup.receiver.extendChecked(setup.sessions[1], choices, deviation, strategy),
  ])
  if (received.status === 'rejected') throw received.reason
  if (sent.status === 'fulfilled') return { refused: false, q: sent.value.messages, t: received.value }
  expect(sent.reason).toBeInstanceOf(OtExtensionError)
  expect(sent.reason).toMatchObject({ name: 'ChannelError', code: 'MALFORMED', check: 'KOS15_CONSISTENCY' })
  return { refused: true }
}

describe('KOS15 check: honest runs', () => {
  it('pass for 1, 127, 128, 129 and 100,000 OTs in both directions of one session', async () => {
    const sessions = sessionPair({ timeoutMs: 10_000 })
    for (const [s, r] of [[0, 1], [1, 0]] as const) {
      for (const count of [1, 127, 128, 129, 100_000]) {
        const choices = randomChoices(count)
        const [{ delta, messages }, rows] = await Promise.all([correlatedOtSend(sessions[s], count), correlatedOtReceive(sessions[r], choices)])
        expect(rows.length).toBe(BLOCK_WORDS * count)
        expect(correlated(messages, rows, choices, delta)).toBe(true)
      }
    }
  })

  it("pass with the harness's receiver when it does not deviate (the harness speaks the product's protocol)", async () => {
    const setup = await setUp()
    for (const strategy of ['real-choices', 'guess-one'] as const) {
      const choices = randomChoices(COUNT)
      const outcome = await checkedBatch(setup, choices, new Map(), strategy)
      expect(outcome.refused).toBe(false)
      if (!outcome.refused) expect(correlated(outcome.q, outcome.t, choices, setup.delta)).toBe(true)
    }
  })
})

describe("KOS15 check: what the sender sees of the receiver's choices", () => {
  it('x is masked by the random-choice OTs, and every batch has a fresh challenge', async () => {
    const sessions = sessionPair({ timeoutMs: 10_000, record: true })
    await Promise.all([correlatedOtSend(sessions[0], 1), correlatedOtReceive(sessions[1], randomChoices(1))])
    const seeds = new Set<string>()
    for (const choices of [new Uint8Array(COUNT), new Uint8Array(COUNT).fill(1), new Uint8Array(COUNT).fill(1)]) {
      await Promise.all([correlatedOtSend(sessions[0], COUNT), correlatedOtReceive(sessions[1], choices)])
      const seed = sessions[0].channel.transcript.filter((entry) => entry.direction === 'sent').at(-1)!.bytes.subarray(1)
      const answer = sessions[1].channel.transcript.filter((entry) => entry.direction === 'sent').at(-1)!.bytes.subarray(1)
      seeds.add(Buffer.from(seed).toString('hex'))
      const chis = new Uint32Array(new AesCtrPrg(seed).next(16 * extendedCount(COUNT)).buffer.slice(0))
      // What x would be from the real choices alone: the receiver's x must differ from it.
      const unmasked = new Uint32Array(BLOCK_WORDS)
      for (let j = 0; j < COUNT; j++) if (choices[j]) for (let w = 0; w < BLOCK_WORDS; w++) unmasked[w] ^= chis[BLOCK_WORDS * j + w]
      expect(Buffer.from(answer.subarray(0, 16)).equals(Buffer.from(unmasked.buffer))).toBe(false)
    }
    expect(seeds.size).toBe(3)
  })
})

describe('KOS15 check: a receiver with one inconsistent column (selective attack on delta_i)', () => {
  const RUNS = 3

  it('answering from its real choices, it is refused whenever delta_i = 1; where delta_i = 0 the column changed nothing', async () => {
    for (let run = 0; run < RUNS; run++) {
      for (const bit of [0, 1]) {
        const setup = await setUp()
        const column = columnWithBit(setup.delta, bit)
        const choices = randomChoices(COUNT)
        const outcome = await checkedBatch(setup, choices, new Map([[column, [randomInt(COUNT)]]]), 'real-choices')
        expect(outcome.refused).toBe(bit === 1)
        // Passing, the receiver learned that its guess delta_i = 0 was right, and its rows are the honest ones.
        if (!outcome.refused) expect(correlated(outcome.q, outcome.t, choices, setup.delta)).toBe(true)
      }
    }
  })

  it('guessing delta_i = 1 in its answer, it is refused whenever delta_i = 0, and passing it learned only that bit', async () => {
    for (let run = 0; run < RUNS; run++) {
      for (const bit of [0, 1]) {
        const setup = await setUp()
        const column = columnWithBit(setup.delta, bit)
        const flipped = randomInt(COUNT)
        const choices = randomChoices(COUNT)
        const outcome = await checkedBatch(setup, choices, new Map([[column, [flipped]]]), 'guess-one')
        expect(outcome.refused).toBe(bit === 0)
        // Passing (delta_i = 1), the flipped OT is off by exactly e_i: the bit it guessed, nothing more.
        if (!outcome.refused) expect(correlated(outcome.q, outcome.t, choices, setup.delta, new Map([[flipped, unit(column)]]))).toBe(true)
      }
    }
  })

  it('answering with the choices of its deviating column, it is refused for delta_i = 0 and delta_i = 1 alike', async () => {
    for (let run = 0; run < RUNS; run++) {
      for (const bit of [0, 1]) {
        const setup = await setUp()
        const deviation = new Map([[columnWithBit(setup.delta, bit), [randomInt(COUNT), randomInt(COUNT)]]])
        expect((await checkedBatch(setup, randomChoices(COUNT), deviation, 'column-choices')).refused).toBe(true)
      }
    }
  })

  it('after a refusal the sender uses its delta no more in the session, and an OLE sender sends no correction', async () => {
    const setup = await setUp()
    const deviation = new Map([[columnWithBit(setup.delta, 1), [0]]])
    expect((await checkedBatch(setup, randomChoices(COUNT), deviation, 'real-choices')).refused).toBe(true)
    const sentBefore = setup.sessions[0].channel.stats.messagesSent
    await expect(correlatedOtSend(setup.sessions[0], COUNT)).rejects.toBeInstanceOf(OtExtensionError)
    expect(setup.sessions[0].channel.stats.messagesSent).toBe(sentBefore)

    // The same deviation inside a triple batch: 2 triples are 4 OLEs of 254 OTs.
    const triples = await setUp()
    const ots = 4 * 254
    const attack = new Map([[columnWithBit(triples.delta, 1), [randomInt(ots)]]])
    const operatorSent = triples.sessions[0].channel.stats.messagesSent
    const [operator] = await Promise.allSettled([
      generateTriples(triples.sessions[0], 2, { otSender: 0 }),
      triples.receiver.extendChecked(triples.sessions[1], randomChoices(ots), attack, 'real-choices'),
    ])
    expect(operator.status).toBe('rejected')
    expect((operator as PromiseRejectedResult).reason).toBeInstanceOf(OtExtensionError)
    // The operator sent the challenge and nothing after it.
    expect(triples.sessions[0].channel.stats.messagesSent - operatorSent).toBe(1)
  })
})

describe('the semi-honest extension (no check) against the same receiver', () => {
  /** The sender's random-OT messages H(q_j) and H(q_j ^ delta), and a hash the receiver can apply to its candidates. */
  function randomOtHash(session: TestSession, count: number) {
    const tweaks = new Uint32Array(BLOCK_WORDS * count)
    for (let j = 0; j < count; j++) writeTweak(tweaks, j, j, 0, 0)
    const hash = (keys: Uint32Array, first: number) => sessionHash(session).hash(keys, tweaks.subarray(BLOCK_WORDS * first, BLOCK_WORDS * (first + keys.length / BLOCK_WORDS)))
    return hash
  }

  it('accepts 128 inconsistent columns, and the random-OT messages then give the receiver all of delta and both messages of every OT', async () => {
    const sessions = sessionPair({ timeoutMs: 10_000 })
    const [sender, receiver] = await Promise.all([UncheckedSender.setUp(sessions[0]), DeviatingReceiver.setUp(sessions[1])])
    const count = 256
    const choices = randomChoices(count)
    // Column i built with OT i's choice flipped, for every column.
    const deviation: Deviation = new Map(Array.from({ length: 128 }, (_, i) => [i, [i]]))
    const [q, t] = await Promise.all([sender.extend(sessions[0], count), receiver.extendUnchecked(sessions[1], choices, deviation)])
    const hash = randomOtHash(sessions[0], count)
    const flippedQ = Uint32Array.from(q, (word, w) => word ^ sender.delta[w & 3])
    const zero = hash(q, 0)
    const one = hash(flippedQ, 0)
    const senderMessage = (j: number, choice: number) => (choice ? one : zero).subarray(BLOCK_WORDS * j, BLOCK_WORDS * (j + 1))

    // For OT i the receiver's candidates are H(t_i) and H(t_i ^ e_i); whichever the sender's
    // message at its choice is (any use of that message the receiver can check shows it:
    // here the test shows it the message) is delta_i.
    const recovered = new Uint32Array(BLOCK_WORDS)
    for (let i = 0; i < 128; i++) {
      const row = t.slice(BLOCK_WORDS * i, BLOCK_WORDS * (i + 1))
      const plain = hash(row, i)
      const shifted = hash(Uint32Array.from(row, (word, w) => word ^ unit(i)[w]), i)
      const message = senderMessage(i, choices[i])
      const [isPlain, isShifted] = [plain, shifted].map((candidate) => candidate.every((word, w) => word === message[w]))
      expect(isPlain !== isShifted).toBe(true)
      if (isShifted) recovered[i >>> 5] |= 1 << (i & 31)
    }
    expect(Array.from(recovered)).toEqual(Array.from(sender.delta))

    // With delta the receiver opens the message it did not choose, on every OT it ran honestly.
    for (let j = 128; j < count; j++) {
      const other = hash(Uint32Array.from(t.subarray(BLOCK_WORDS * j, BLOCK_WORDS * (j + 1)), (word, w) => word ^ recovered[w]), j)
      expect(Array.from(other)).toEqual(Array.from(senderMessage(j, 1 - choices[j])))
    }

    // The checked extension refuses the same deviation (delta's lowest bit is 1, so column 0 alone gives it away).
    const setup = await setUp()
    expect((await checkedBatch(setup, randomChoices(COUNT), deviation, 'real-choices')).refused).toBe(true)
  })

  it('accepts one inconsistent column, and the rows differ from the honest correlation by delta_i e_i', async () => {
    for (const bit of [0, 1]) {
      const sessions = sessionPair({ timeoutMs: 10_000 })
      const [sender, receiver] = await Promise.all([UncheckedSender.setUp(sessions[0]), DeviatingReceiver.setUp(sessions[1])])
      const column = columnWithBit(sender.delta, bit)
      const flipped = randomInt(COUNT)
      const choices = randomChoices(COUNT)
      const [q, t] = await Promise.all([sender.extend(sessions[0], COUNT), receiver.extendUnchecked(sessions[1], choices, new Map([[column, [flipped]]]))])
      expect(correlated(q, t, choices, sender.delta, new Map([[flipped, bit ? unit(column) : new Uint32Array(4)]]))).toBe(true)
    }
  })
})
