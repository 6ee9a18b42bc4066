/**
 * TEST ONLY: a ShareArithmetic driver (src/zk/share-arithmetic.ts) for two parties in one
 * process. A trusted dealer that sees everything hands out Beaver triples (Beaver, CRYPTO
 * 1991), and the parties exchange their openings as bytes over an in-memory Channel. The real system makes its triples by OT
 * (src/mpc) and never has a dealer.
 */
import { Fr, randomFieldElement } from '../../../src/crypto/field.js'
import type { Channel } from '../../../src/mpc/channel.js'
import { memoryChannelPair, type MemoryChannel } from '../../../src/mpc/memory-channel.js'
import {
  addPointShares,
  combineProofShares,
  proveCollaboratively,
  type CollaborativeProofShare,
  type CollaborativeProverOptions,
} from '../../../src/zk/collaborative-groth16.js'
import type { ParsedR1cs } from '../../../src/zk/r1cs.js'
import type { PointVectors, ShareArithmetic } from '../../../src/zk/share-arithmetic.js'
import type { Bn128, ParsedZkey } from '../../../src/zk/zkey.js'

const mod = (x: bigint) => ((x % Fr.ORDER) + Fr.ORDER) % Fr.ORDER

interface TripleShares {
  a: bigint[]
  b: bigint[]
  c: bigint[]
}

/** TEST ONLY: deals the k-th batch of triples to both parties, whichever asks first. */
export class TestTripleDealer {
  private readonly batches: [TripleShares, TripleShares][] = []
  private readonly taken = [0, 0]

  triples(party: 0 | 1, n: number): TripleShares {
    const k = this.taken[party]++
    this.batches[k] ??= deal(n)
    const share = this.batches[k][party]
    if (share.a.length !== n) throw new Error(`the parties asked for batches of different sizes at step ${k}`)
    return share
  }
}

function deal(n: number): [TripleShares, TripleShares] {
  const zero: TripleShares = { a: [], b: [], c: [] }
  const one: TripleShares = { a: [], b: [], c: [] }
  for (let i = 0; i < n; i++) {
    const [a, b] = [randomFieldElement(), randomFieldElement()]
    for (const [name, value] of [['a', a], ['b', b], ['c', mod(a * b)]] as const) {
      const share = randomFieldElement()
      zero[name].push(share)
      one[name].push(mod(value - share))
    }
  }
  return [zero, one]
}

export type RandomSource = (n: number) => bigint[]

export class TestDealerArithmetic implements ShareArithmetic {
  constructor(
    readonly party: 0 | 1,
    private readonly channel: Channel,
    private readonly dealer: TestTripleDealer,
    private readonly curve: Bn128,
    private readonly random: RandomSource = (n) => Array.from({ length: n }, randomFieldElement),
  ) {}

  async multiply(x: bigint[], y: bigint[]): Promise<bigint[]> {
    const { a, b, c } = this.dealer.triples(this.party, x.length)
    const opened = await this.openScalars([...x.map((xi, i) => mod(xi - a[i])), ...y.map((yi, i) => mod(yi - b[i]))])
    const d = opened.slice(0, x.length)
    const e = opened.slice(x.length)
    return c.map((ci, i) => mod(ci + d[i] * b[i] + e[i] * a[i] + (this.party === 0 ? d[i] * e[i] : 0n)))
  }

  /** Squares as products: the dealer's triples serve both. */
  square(x: bigint[]): Promise<bigint[]> {
    return this.multiply(x, x)
  }

  async openScalars(x: bigint[]): Promise<bigint[]> {
    const out = new Uint8Array(x.length * 32)
    x.forEach((value, i) => out.set(Fr.toBytesBE(mod(value)), i * 32))
    await this.channel.send(out)
    const peer = await this.channel.receive()
    if (peer.length !== out.length) throw new Error('peer opened a different number of scalars')
    return x.map((value, i) => mod(value + Fr.fromBytesBE(peer.subarray(i * 32, (i + 1) * 32))))
  }

  async openPoints(g1: Uint8Array[], g2: Uint8Array[]): Promise<PointVectors> {
    const own = { g1, g2 }
    const bytes = [...g1, ...g2]
    const out = new Uint8Array(bytes.reduce((n, p) => n + p.length, 0))
    let offset = 0
    for (const point of bytes) {
      out.set(point, offset)
      offset += point.length
    }
    await this.channel.send(out)
    const peer = await this.channel.receive()
    if (peer.length !== out.length) throw new Error('peer opened points of a different size')
    offset = 0
    const next = (point: Uint8Array) => {
      const theirs = peer.slice(offset, offset + point.length)
      offset += point.length
      return theirs
    }
    return addPointShares(this.curve, own, { g1: g1.map(next), g2: g2.map(next) })
  }

  randomScalars(n: number): bigint[] {
    return this.random(n)
  }
}

export interface TestDealerRun {
  proof: Awaited<ReturnType<typeof combineProofShares>>
  shares: [CollaborativeProofShare, CollaborativeProofShare]
  channels: [MemoryChannel, MemoryChannel]
}

/** TEST ONLY: both parties prove concurrently; party 0 plays the operator and recombines. */
/** Per-party prover options beside the shares: the held-wire mask and precomputed MSMs. */
export type ProverExtras = Pick<CollaborativeProverOptions, 'heldWires' | 'precomputed'>

export async function proveWithTestDealer(
  curve: Bn128,
  zkey: ParsedZkey,
  r1cs: ParsedR1cs,
  witnessShares: [bigint[], bigint[]],
  validityBitShares: [bigint, bigint],
  publicSignals: bigint[],
  random?: [RandomSource, RandomSource],
  perParty?: [ProverExtras, ProverExtras],
): Promise<TestDealerRun> {
  const channels = memoryChannelPair()
  const dealer = new TestTripleDealer()
  const parties = [0, 1].map((party) => new TestDealerArithmetic(party as 0 | 1, channels[party], dealer, curve, random?.[party]))
  const shares = (await Promise.all(
    parties.map((arithmetic, party) =>
      proveCollaboratively(zkey, r1cs, witnessShares[party], arithmetic, {
        validityBitShare: validityBitShares[party],
        publicSignals,
        ...perParty?.[party],
      }),
    ),
  )) as [CollaborativeProofShare, CollaborativeProofShare]
  const proof = await combineProofShares(shares[0], shares[1].piCShare)
  return { proof, shares, channels }
}
