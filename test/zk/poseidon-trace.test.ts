import { describe, expect, it } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { poseidonTrace, sboxCount, sharedPoseidonTrace, sharedPowerTuples } from '../../src/zk/poseidon-trace.js'
import { loadBn128 } from '../../src/zk/zkey.js'
import { TestDealerArithmetic, TestTripleDealer } from './helpers/test-dealer-arithmetic.js'

const mod = (x: bigint) => ((x % Fr.ORDER) + Fr.ORDER) % Fr.ORDER

describe('Poseidon S-box trace', () => {
  it.each([1, 2, 3])('the clear trace of %i inputs ends in circomlib Poseidon and keeps x, x^2, x^4, x^5', (count) => {
    const inputs = Array.from({ length: count }, randomFieldElement)
    const trace = poseidonTrace(inputs)
    expect(trace.output).toBe(poseidon(inputs))
    expect(trace.sboxes).toHaveLength(sboxCount(count))
    for (const sbox of trace.sboxes) {
      expect(sbox.in2).toBe(mod(sbox.in * sbox.in))
      expect(sbox.in4).toBe(mod(sbox.in2 * sbox.in2))
      expect(sbox.out).toBe(mod(sbox.in4 * sbox.in))
    }
  })

  it('on shares, recombines to the clear trace S-box by S-box, one opening per round', async () => {
    const curve = await loadBn128()
    const [K, c] = [randomFieldElement(), randomFieldElement()]
    const channels = memoryChannelPair()
    const dealer = new TestTripleDealer()
    const parties = ([0, 1] as const).map((party) => new TestDealerArithmetic(party, channels[party], dealer, curve))
    const tuples = await Promise.all(parties.map((party) => sharedPowerTuples(party, 2)))
    // The power tuples take 4 rounds (r^2, r^3, r^4, r^5), input-independent preprocessing.
    expect(channels[0].stats.messagesSent).toBe(4)
    // Each tuple is r, r^2, ..., r^5 of one joint random r.
    for (let j = 0; j < sboxCount(2); j++) {
      const [r, ...powers] = tuples[0].powers.map((shares, k) => mod(shares[j] + tuples[1].powers[k][j]))
      powers.forEach((power, k) => expect(power).toBe(mod(r ** BigInt(k + 2))))
    }
    const [operator, voter] = await Promise.all([
      sharedPoseidonTrace([K, 0n], parties[0], tuples[0]),
      sharedPoseidonTrace([0n, c], parties[1], tuples[1]),
    ])
    const clear = poseidonTrace([K, c])
    expect(mod(operator.output + voter.output)).toBe(clear.output)
    clear.sboxes.forEach((sbox, i) => {
      for (const power of ['in', 'in2', 'in4', 'out'] as const) {
        expect(mod(operator.sboxes[i][power] + voter.sboxes[i][power])).toBe(sbox[power])
      }
    })
    // Then one opening per Poseidon round (8 full + 57 partial).
    expect(channels[0].stats.messagesSent).toBe(4 + 65)
    // Neither party's shares are the clear values.
    expect(voter.output).not.toBe(clear.output)
    expect(operator.output).not.toBe(clear.output)
  })

  it('refuses power tuples made for another input count', async () => {
    const curve = await loadBn128()
    const [channel] = memoryChannelPair()
    const party = new TestDealerArithmetic(0, channel, new TestTripleDealer(), curve)
    const tuples = { inputs: 3, powers: [[], [], [], [], []] }
    await expect(sharedPoseidonTrace([1n, 2n], party, tuples)).rejects.toThrow(/power tuples for 3 inputs, the hash has 2/)
  })
})
