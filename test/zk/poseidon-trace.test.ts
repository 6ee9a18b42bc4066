import { describe, expect, it } from 'vitest'
import { Fr, randomFieldElement } from '../../src/crypto/field.js'
import { poseidon } from '../../src/crypto/poseidon.js'
import { memoryChannelPair } from '../../src/mpc/memory-channel.js'
import { poseidonTrace, sboxCount, sharedPoseidonTrace } from '../../src/zk/poseidon-trace.js'
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
    const [operator, voter] = await Promise.all([
      sharedPoseidonTrace([K, 0n], parties[0]),
      sharedPoseidonTrace([0n, c], parties[1]),
    ])
    const clear = poseidonTrace([K, c])
    expect(mod(operator.output + voter.output)).toBe(clear.output)
    clear.sboxes.forEach((sbox, i) => {
      for (const power of ['in', 'in2', 'in4', 'out'] as const) {
        expect(mod(operator.sboxes[i][power] + voter.sboxes[i][power])).toBe(sbox[power])
      }
    })
    // 4 rounds for the power tuples (r^2, r^3, r^4, r^5), then one opening per Poseidon round (8 full + 57 partial).
    expect(channels[0].stats.messagesSent).toBe(4 + 65)
    // Neither party's shares are the clear values.
    expect(voter.output).not.toBe(clear.output)
    expect(operator.output).not.toBe(clear.output)
  })
})
