/**
 * The voter's checks on what it syncs (src/daemon/voter-client.ts), against lying replicas
 * (issue 14): every replica's signed root is checked, not only the first; leaves must
 * produce the signed root; a replica of another poll, an unreachable one, a lagging one and
 * lost receipts are each refused for their own reason. The operator core runs in this
 * process behind raw sync servers, so each replica's answers are exactly what the test says.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomFieldElement } from '../../src/crypto/field.js'
import { generateKeypair } from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import { signRoot } from '../../src/crypto/root-signature.js'
import { Operator } from '../../src/daemon/operator.js'
import { LevelStore } from '../../src/store/level-store.js'
import { makeDeactivation } from '../../src/core/voter.js'
import {
  AnonymitySetError,
  checkAnonymitySet,
  checkReceipts,
  LeafListError,
  LostDeactivationError,
  NoIndependentSourceError,
  SplitViewError,
  type StoredReceipt,
  type TreeSyncOptions,
  type VoterEndpoints,
} from '../../src/daemon/voter-client.js'
import { ProtocolError } from '../../src/protocol/errors.js'
import type { SyncSource } from '../../src/protocol/sync.js'
import { serveSync, type RawSyncServer } from '../attacks/forked-operator.js'
import { temporaryDirectory } from '../operator/helpers.js'
import { honestSource, syncWith as syncWithReplicas } from './fixtures/sync-with.js'

const LEAVES = 6

describe("the voter's checks against lying replicas", () => {
  let operator: Operator
  let signingKey: Uint8Array
  let remove: () => Promise<void>
  let honest: SyncSource
  let operatorServer: RawSyncServer
  let honestServer: RawSyncServer
  const servers: RawSyncServer[] = []
  const receipts: StoredReceipt[] = []

  async function serve(source: SyncSource): Promise<RawSyncServer> {
    const server = await serveSync(source)
    servers.push(server)
    return server
  }

  /** The honest history with some parts replaced, as a lying replica serves it. */
  const lying = (overrides: Partial<SyncSource>): SyncSource => ({ ...honest, ...overrides })

  const syncWith = (replicas: RawSyncServer[], options: TreeSyncOptions = {}, endpoints: Partial<VoterEndpoints> = {}) =>
    syncWithReplicas(operatorServer.address, operator.publicParameters(), replicas, options, endpoints)

  beforeAll(async () => {
    const temp = await temporaryDirectory()
    remove = temp.remove
    const directory = join(temp.path, 'operator')
    await Operator.initialize(directory)
    const store = await LevelStore.open(directory)
    signingKey = Uint8Array.from(Buffer.from((JSON.parse((await store.get('secret/operator'))!) as { privateKey: string }).privateKey, 'hex'))
    await store.close()
    operator = await Operator.open(directory)
    for (let i = 0; i < LEAVES; i++) {
      const keypair = generateKeypair()
      await operator.signup(keypair.publicKey)
      const receipt = await operator.submitDeactivation(makeDeactivation(keypair, operator.publicParameters()).ciphertext)
      receipts.push({ leafIndex: receipt.index, leaf: receipt.leaf, root: receipt.root })
    }
    honest = honestSource(operator, LEAVES)
    operatorServer = await serve(honest)
    honestServer = await serve(honest)
  })

  afterAll(async () => {
    for (const server of servers) await server.stop()
    await operator.close()
    await remove()
  })

  it('two honest replicas: the list, its newest signed root, confirmed by both', async () => {
    const second = await serve(honest)
    const tree = await syncWith([honestServer, second], { receipts })
    expect(tree).toMatchObject({ source: 'replica', confirmations: 2, root: operator.status().root })
    expect(tree.leaves).toEqual(operator.leaves(0, LEAVES))
    expect(tree.signed).toEqual(operator.signedRoots(LEAVES - 1, LEAVES)[0])
  })

  it("a replica whose root is not signed by the operator is refused, whether it comes first or second", async () => {
    const otherKey = generateKeypair().privateKey
    const forged = await serve(lying({ roots: (from, to) => operator.signedRoots(from, to).map((s) => signRoot(otherKey, s.size, s.root)) }))
    for (const order of [[honestServer, forged], [forged, honestServer]]) {
      await expect(syncWith(order)).rejects.toMatchObject({ name: 'SplitViewError', reason: 'BAD_SIGNATURE' })
    }
  })

  it("a replica that serves the operator's signature of another size is refused", async () => {
    // The signature of root i - 1 served as the one of root i: validly signed, for the wrong size.
    const shifted = await serve(lying({ roots: (from, to) => operator.signedRoots(from - 1, to - 1) }))
    await expect(syncWith([honestServer, shifted])).rejects.toMatchObject({ name: 'SplitViewError', reason: 'BAD_SIGNATURE' })
  })

  it('a second replica holding a validly signed root of a fork is an equivocation', async () => {
    const tree = new IncrementalMerkleTree(operator.publicParameters().depth)
    const forkedLeaves = operator.leaves(0, LEAVES).map((leaf, i) => (i === 2 ? randomFieldElement() : leaf))
    const forkedRoots = forkedLeaves.map((leaf, i) => signRoot(signingKey, i + 1, tree.insert(leaf)))
    const fork = await serve(lying({ roots: (from, to) => forkedRoots.slice(from, to) }))
    const attempt = syncWith([honestServer, fork])
    await expect(attempt).rejects.toBeInstanceOf(SplitViewError)
    await expect(attempt).rejects.toMatchObject({ reason: 'EQUIVOCATION', message: expect.stringMatching(/equivocated/) })
  })

  it('leaves that do not produce the signed root are a mismatch, not an equivocation', async () => {
    const changed = operator.leaves(0, LEAVES).map((leaf, i) => (i === 4 ? randomFieldElement() : leaf))
    const liar = await serve(lying({ leaves: (from, to) => changed.slice(from, to) }))
    await expect(syncWith([liar])).rejects.toMatchObject({ name: 'SplitViewError', reason: 'MISMATCH' })
    await expect(syncWith([liar, honestServer])).rejects.toMatchObject({ name: 'SplitViewError', reason: 'MISMATCH' })
  })

  it('a replica of another poll is refused as PARAMETERS', async () => {
    const otherPoll = await serve(lying({ parameters: () => ({ ...operator.publicParameters(), keyCommitment: randomFieldElement() }) }))
    await expect(syncWith([honestServer, otherPoll])).rejects.toMatchObject({ name: 'SplitViewError', reason: 'PARAMETERS' })
  })

  it('with no replica configured the voter refuses, unless it takes the operator alone at its word', async () => {
    await expect(syncWith([])).rejects.toBeInstanceOf(NoIndependentSourceError)
    await expect(syncWith([])).rejects.toThrow(/no replica is configured/)
    expect(await syncWith([], { allowSingleSource: true })).toMatchObject({ source: 'operator', confirmations: 0, root: operator.status().root })
  })

  it('replicas of different sizes: the list stops at the smallest, under its own signed root', async () => {
    const behind = await serve(lying({ head: () => ({ leaves: 4, log: 4, roots: 4, root: operator.rootHistory()[3] }) }))
    const tree = await syncWith([honestServer, behind])
    expect(tree.leaves).toEqual(operator.leaves(0, 4))
    expect(tree.root).toBe(operator.rootHistory()[3])
    expect(tree.signed.size).toBe(4)
  })

  it('a replica that lags behind a receipt is waited for, then refused as a lost deactivation', async () => {
    const behind = await serve(lying({ head: () => ({ leaves: 4, log: 4, roots: 4, root: operator.rootHistory()[3] }) }))
    const notes: string[] = []
    const attempt = syncWith([behind], { receipts: [receipts[5]], onNote: (note) => notes.push(note) })
    await expect(attempt).rejects.toBeInstanceOf(LostDeactivationError)
    await expect(attempt).rejects.toMatchObject({ leafIndex: 5, reason: 'missing', message: expect.stringMatching(/after 2 tries a replica still holds only 4 leaves/) })
    // Two tries: one wait between them, each naming the least a replica holds.
    expect(notes.filter((note) => note.includes('waiting'))).toEqual(['a replica holds 4 of the 6 leaves your receipts need; waiting for it'])
  })

  it('a receipt the list lost is refused, against replicas that all agree on the list', async () => {
    const lost = { ...receipts[1], leaf: randomFieldElement() }
    await expect(syncWith([honestServer], { receipts: [receipts[0], lost] })).rejects.toMatchObject({ name: 'LostDeactivationError', leafIndex: 1 })
  })

  it('a replica that serves no roots for another reason than equivocation is not reported as one', async () => {
    const silent = await serve(lying({ roots: () => { throw new ProtocolError('UNAVAILABLE', 'roots are being rebuilt') } }))
    const attempt = syncWith([honestServer, silent])
    await expect(attempt).rejects.toThrow(/roots are being rebuilt/)
    await expect(attempt).rejects.not.toBeInstanceOf(SplitViewError)
  })

  it('leaves from replicas need no root from the operator', async () => {
    const noRoots = await serve(lying({ roots: () => { throw new ProtocolError('UNAVAILABLE', 'operator roots withheld') } }))
    const tree = await syncWith([honestServer], {}, { operator: noRoots.address })
    expect(tree).toMatchObject({ source: 'replica', confirmations: 1, root: operator.status().root })
  })

  it('an empty tree is refused: there is nothing to prove membership in', async () => {
    const empty = await serve(lying({ head: () => ({ leaves: 0, log: 0, roots: 0, root: 0n }), leaves: () => [], roots: () => [] }))
    const attempt = syncWith([empty])
    await expect(attempt).rejects.toBeInstanceOf(LeafListError)
    await expect(attempt).rejects.toThrow(/empty/)
  })
})

describe('checkReceipts and checkAnonymitySet', () => {
  const depth = 20
  const leaves = Array.from({ length: 5 }, () => randomFieldElement())
  const rootAt = (index: number) => IncrementalMerkleTree.fromLeaves(depth, leaves.slice(0, index + 1)).root
  const receiptAt = (index: number): StoredReceipt => ({ leafIndex: index, leaf: leaves[index], root: rootAt(index) })

  it('accepts receipts that are in the list at their index under their root, the first and last included', () => {
    expect(() => checkReceipts(leaves, depth, [receiptAt(0), receiptAt(2), receiptAt(4)])).not.toThrow()
    expect(() => checkReceipts(leaves, depth, [])).not.toThrow()
  })

  it('tells a lost leaf from a moved one and from a changed history', () => {
    const error = (receipt: StoredReceipt) => {
      try {
        checkReceipts(leaves, depth, [receiptAt(0), receipt])
      } catch (caught) {
        return caught as LostDeactivationError
      }
      throw new Error('accepted')
    }
    expect(error({ ...receiptAt(3), leaf: randomFieldElement() })).toMatchObject({ leafIndex: 3, reason: 'missing', message: expect.stringMatching(/lost/) })
    expect(error({ ...receiptAt(2), leafIndex: 1 })).toMatchObject({ leafIndex: 1, reason: 'changed', message: expect.stringMatching(/at index 2/) })
    expect(error({ ...receiptAt(3), root: rootAt(2) })).toMatchObject({ leafIndex: 3, reason: 'changed', message: expect.stringMatching(/receipt's root/) })
    expect(error({ ...receiptAt(4), leafIndex: 5 })).toMatchObject({ leafIndex: 5, reason: 'changed' })
    // Found at index 0 is still found: moved, not lost.
    expect(error({ ...receiptAt(0), leafIndex: 3 })).toMatchObject({ leafIndex: 3, reason: 'changed', message: expect.stringMatching(/at index 0/) })
    expect(error({ ...receiptAt(1), leafIndex: 5, leaf: randomFieldElement() })).toBeInstanceOf(LostDeactivationError)
  })

  it('needs exactly `needed` leaves after the voter\'s own', () => {
    expect(() => checkAnonymitySet(10, 1, 8)).not.toThrow()
    expect(() => checkAnonymitySet(10, 2, 8)).toThrow(AnonymitySetError)
    expect(() => checkAnonymitySet(10, 9, 0)).not.toThrow()
    try {
      checkAnonymitySet(10, 12, 1)
    } catch (caught) {
      expect(caught).toMatchObject({ following: 0, needed: 1, message: expect.stringMatching(/only 0 leaves follow yours \(leaf 12 of 10\); the anonymity set needs 1/) })
      return
    }
    throw new Error('accepted')
  })
})
