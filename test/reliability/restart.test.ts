/**
 * Issue 12, item 4: a restart reads the state as stored. It does not hash signed-up keys
 * again, check their subgroup again or rebuild the tree from every leaf (together about
 * 30 ms per voter, minutes at 100k): the tree's frontier and each signup's hash are written
 * in the batch that makes them, and a restart only hashes the root from the frontier.
 */
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { generateKeypair } from '../../src/crypto/keys.js'
import * as keysModule from '../../src/crypto/keys.js'
import { IncrementalMerkleTree } from '../../src/crypto/merkle.js'
import * as poseidonModule from '../../src/crypto/poseidon.js'
import { Operator } from '../../src/daemon/operator.js'
import { StoreError } from '../../src/core/records.js'
import { makeDeactivation, makeVote } from '../../src/core/voter.js'
import { freshOperator } from '../operator/helpers.js'

const VOTERS = 12

describe('operator restart', () => {
  let operator: Operator
  let directory: string
  let cleanup: () => Promise<void>

  beforeEach(async () => {
    ;({ operator, directory, cleanup } = await freshOperator())
    const keys = Array.from({ length: VOTERS }, () => generateKeypair())
    for (const keypair of keys) await operator.signup(keypair.publicKey)
    // Half deactivate validly, the rest send a forged one: both kinds of leaf are stored.
    for (const [i, keypair] of keys.entries()) {
      const signer = i % 2 === 0 ? keypair : generateKeypair()
      const deactivation = makeDeactivation({ ...signer, publicKey: keypair.publicKey }, operator.publicParameters())
      await operator.submitDeactivation(deactivation.ciphertext)
    }
    await operator.submitVote(makeVote(keys[1], operator.publicParameters(), 2))
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    await cleanup()
  })

  /** Everything a reader of the operator can see, to compare across a restart. */
  function snapshot(of: Operator) {
    const { deactivations } = of.status()
    return {
      status: of.status(),
      roots: of.rootHistory(),
      leaves: of.leaves(0, deactivations),
      signedRoots: of.signedRoots(0, deactivations),
      log: of.deactivationLog(0, deactivations),
      signups: of.signups(0, VOTERS),
    }
  }

  async function reopen(): Promise<Operator> {
    await operator.close()
    operator = await Operator.open(directory)
    return operator
  }

  it('hashes only the root from the frontier, checks no key again, and serves the same state', async () => {
    const before = snapshot(operator)
    const tally = await operator.tally()
    const hashes = vi.spyOn(poseidonModule, 'poseidon')
    const curveChecks = vi.spyOn(keysModule, 'isOnCurve')
    await reopen()
    expect(hashes.mock.calls.length).toBeLessThanOrEqual(operator.publicParameters().depth)
    expect(curveChecks).not.toHaveBeenCalled()
    vi.restoreAllMocks()
    expect(snapshot(operator)).toEqual(before)
    expect(await operator.tally()).toEqual(tally)
  })

  it('appends after a restart exactly as a tree rebuilt from every leaf would', async () => {
    await reopen()
    const newcomer = generateKeypair()
    await operator.signup(newcomer.publicKey)
    await expect(operator.signup(newcomer.publicKey)).rejects.toThrow(/already signed up/)
    const receipt = await operator.submitDeactivation(makeDeactivation(newcomer, operator.publicParameters()).ciphertext)
    const leaves = operator.leaves(0, receipt.index + 1)
    expect(receipt.root).toBe(IncrementalMerkleTree.fromLeaves(operator.publicParameters().depth, leaves).root)
    expect(operator.isActive(newcomer.publicKey)).toBe(false)
  })

  it('opens a directory written before frontiers and signup hashes were stored, and upgrades it once', async () => {
    const before = snapshot(operator)
    await operator.close()
    const db = new Level<string, string>(directory)
    const keyHashes = await db.keys({ gt: 'keyhash/', lt: 'keyhash/\xff' }).all()
    expect(keyHashes).toHaveLength(VOTERS)
    await db.batch([{ type: 'del', key: 'meta/frontier' }, ...keyHashes.map((key) => ({ type: 'del' as const, key }))])
    await db.close()

    operator = await Operator.open(directory)
    expect(snapshot(operator)).toEqual(before)
    const hashes = vi.spyOn(poseidonModule, 'poseidon')
    await reopen()
    expect(hashes.mock.calls.length).toBeLessThanOrEqual(operator.publicParameters().depth)
    expect(snapshot(operator)).toEqual(before)
  })

  it('stores the active set in the documented format, which a restart reads back', async () => {
    await operator.close()
    const db = new Level<string, string>(directory)
    const flags = await db.values({ gt: 'active/', lt: 'active/\xff' }).all()
    await db.close()
    // docs/PROTOCOL.md §1: `1` for an active key, `0` for one that held a slot and lost it.
    // Half the voters deactivated validly, the others are still active.
    expect(flags.sort()).toEqual([...Array<string>(VOTERS / 2).fill('0'), ...Array<string>(VOTERS / 2).fill('1')])
    operator = await Operator.open(directory)
  })

  it('refuses a stored frontier that does not give the last stored root', async () => {
    await operator.close()
    const db = new Level<string, string>(directory)
    const leaves = (await db.values({ gt: 'leaf/', lt: 'leaf/\xff' }).all()).map(BigInt)
    // A well-formed frontier for this many leaves, but of another leaf list.
    leaves[0] += 1n
    const forged = IncrementalMerkleTree.fromLeaves(operator.publicParameters().depth, leaves).frontier()
    await db.put('meta/frontier', JSON.stringify(forged.map((node) => (node === undefined ? null : node.toString()))))
    await db.close()
    await expect(Operator.open(directory)).rejects.toThrow(StoreError)
  })
})
