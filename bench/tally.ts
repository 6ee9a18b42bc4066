/**
 * `npm run bench -- tally`: the tally rate (issue 11, target 2,000 votes/s on 10,000 votes),
 * with a baseline from the same run: the per-vote cost of the zk-kit path that
 * src/crypto/babyjubjub.ts replaced (affine arithmetic, an inversion per addition).
 *
 * An operator in a temporary LevelDB gets SIGNUPS keys, DEACTIVATED of them deactivated,
 * and VOTES votes spread over every key, so most are superseded and a tenth come from
 * deactivated keys. Operator.tally() is timed TALLY_RUNS times (median) and its result is
 * checked against the counts the bench expects. The baseline decrypts and verifies a sample
 * of the same votes with zk-kit's functions, exactly as the code did before: ECDH by
 * mulPointEscalar and three addPoint doublings, the subgroup check by mulPointEscalar with
 * the subgroup order (cached per key, as isOnCurve caches it), then verifySignature.
 * Per-operation figures follow, zk-kit against the new code.
 */
import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addPoint, inCurve, mulPointEscalar, subOrder, type Point as ZkPoint } from '@zk-kit/baby-jubjub'
import type * as EddsaPoseidon from '@zk-kit/eddsa-poseidon'
import { decryptWith, encryptTo } from '../src/crypto/encryption.js'
import { Fr, randomFieldElement } from '../src/crypto/field.js'
import { generateKeypair, hashPublicKey, keypairFromPrivateKey, sharedPoint, sign, verify, type Keypair, type PublicKey } from '../src/crypto/keys.js'
import { commitmentOf, poseidon } from '../src/crypto/poseidon.js'
import { isInPrimeSubgroup } from '../src/crypto/wasm-babyjubjub.js'
import { decodeMessage, encodeMessage, MessageKind, signMessage, verifyMessage, type SignedMessage } from '../src/crypto/signed-message.js'
import { EncryptionContext } from '../src/core/messages.js'
import { Operator } from '../src/daemon/operator.js'
import { LevelStore } from '../src/store/level-store.js'
import { median, printTable } from './report.js'

const { derivePublicKey, deriveSecretScalar, signMessage: zkSign, verifySignature } = createRequire(import.meta.url)(
  '@zk-kit/eddsa-poseidon',
) as typeof EddsaPoseidon

/** What MACI hands zk-kit for a private key: its decimal string (src/crypto/keys.ts). */
const maciSeed = (privateKey: Uint8Array) => BigInt(`0x${Buffer.from(privateKey).toString('hex')}`).toString()

const SIGNUPS = 2_000
const DEACTIVATED = 200
const VOTES = 10_000
const VOTE_OPTIONS = 4
const TALLY_RUNS = 3
const BASELINE_SAMPLE = 100
const TARGET_VOTES_PER_SECOND = 2_000


function timeEach<T>(inputs: readonly T[], run: (input: T) => unknown): number {
  const started = performance.now()
  for (const input of inputs) run(input)
  return (performance.now() - started) / inputs.length
}

/** The decryption as it was: zk-kit's ECDH, then the same HKDF and AES-GCM as src/crypto/encryption.ts. */
function zkKitDecrypt(privateKey: Uint8Array, ciphertext: Uint8Array, context: string): Uint8Array {
  const ephemeral: ZkPoint<bigint> = [Fr.fromBytesBE(ciphertext.subarray(0, 32)), Fr.fromBytesBE(ciphertext.subarray(32, 64))]
  if (!inCurve(ephemeral)) throw new Error('ephemeral key is not on the curve')
  const shared = zkKitSharedPoint(privateKey, ephemeral)
  const secret = Buffer.concat([Fr.toBytesBE(shared[0]), Fr.toBytesBE(shared[1])])
  const key = Buffer.from(hkdfSync('sha256', secret, ciphertext.subarray(0, 64), `maci-anon/ecies/v1/${context}`, 32))
  const decipher = createDecipheriv('aes-256-gcm', key, ciphertext.subarray(64, 76))
  decipher.setAAD(ciphertext.subarray(0, 76))
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  return Buffer.concat([decipher.update(ciphertext.subarray(76, ciphertext.length - 16)), decipher.final()])
}

function zkKitSharedPoint(privateKey: Uint8Array, point: ZkPoint<bigint>): ZkPoint<bigint> {
  let shared = mulPointEscalar(point, deriveSecretScalar(maciSeed(privateKey)))
  for (let doubling = 0; doubling < 3; doubling++) shared = addPoint(shared, shared)
  if (shared[0] === 0n && shared[1] === 1n) throw new Error('small order')
  return shared
}

const zkKitInSubgroup = (point: ZkPoint<bigint>) => {
  const multiple = mulPointEscalar(point, subOrder)
  return multiple[0] === 0n && multiple[1] === 1n
}

const zkKitCheckedKeys = new Set<string>()

/** verifyMessage as it was: the cached subgroup check, then zk-kit's verifySignature. */
function zkKitVerifyMessage(message: SignedMessage): boolean {
  const [x, y] = message.publicKey
  const key = `${x}:${y}`
  if (!zkKitCheckedKeys.has(key)) {
    if (x === 0n || !inCurve([x, y]) || !zkKitInSubgroup([x, y])) return false
    zkKitCheckedKeys.add(key)
  }
  const digest = poseidon([BigInt(message.kind), x, y, message.payload, message.nonce])
  return verifySignature(digest, message.signature, [x, y])
}

const ms = (value: number) => `${value < 1 ? value.toFixed(3) : value.toFixed(1)} ms`
const speedup = (baseline: number, ours: number) => `${(baseline / ours).toFixed(1)}x faster`

interface Setup {
  operator: Operator
  privateKey: Uint8Array
  ciphertexts: Uint8Array[]
  expected: Record<string, number>
}

async function buildOperator(directory: string): Promise<Setup> {
  await Operator.initialize(directory, { voteOptions: VOTE_OPTIONS })
  // The baseline runs zk-kit's decryption on the same votes, so it needs the operator's key.
  const store = await LevelStore.open(directory)
  const stored = JSON.parse((await store.get('secret/operator')) ?? '{}') as { privateKey: string }
  await store.close()
  const privateKey = Uint8Array.from(Buffer.from(stored.privateKey, 'hex'))
  const operator = await Operator.open(directory)
  const { operatorPublicKey } = operator.publicParameters()
  const voters: Keypair[] = Array.from({ length: SIGNUPS }, () => generateKeypair())
  for (const voter of voters) await operator.signup(voter.publicKey)
  const ciphertexts: Uint8Array[] = []
  const latest = new Map<number, number>()
  for (let i = 0; i < VOTES; i++) {
    const voter = i % SIGNUPS
    const option = randomBytes(1)[0] % VOTE_OPTIONS
    const ciphertext = encryptTo(operatorPublicKey, encodeMessage(signMessage(voters[voter], MessageKind.vote, BigInt(option))), EncryptionContext.vote)
    await operator.submitVote(ciphertext)
    ciphertexts.push(ciphertext)
    latest.set(voter, option)
    if ((i + 1) % 2_000 === 0) console.log(`  ${i + 1} votes submitted`)
  }
  for (let voter = 0; voter < DEACTIVATED; voter++) {
    const message = signMessage(voters[voter], MessageKind.deactivate, commitmentOf(randomFieldElement()))
    await operator.submitDeactivation(encryptTo(operatorPublicKey, encodeMessage(message), EncryptionContext.deactivation))
    latest.delete(voter)
  }
  const expected: Record<string, number> = {}
  for (let option = 0; option < VOTE_OPTIONS; option++) expected[String(option)] = 0
  for (const option of latest.values()) expected[String(option)]++
  return { operator, privateKey, ciphertexts, expected }
}

function microFigures(): Array<[string, string, string, string]> {
  const keypairs = Array.from({ length: 20 }, () => generateKeypair())
  const peers: PublicKey[] = Array.from({ length: 20 }, () => generateKeypair().publicKey)
  const messages = keypairs.map(() => randomFieldElement())
  const signatures = keypairs.map((keypair, i) => sign(keypair.privateKey, messages[i]))
  const indices = keypairs.map((_, i) => i)
  const many = <T>(values: T[], times: number) => Array.from({ length: values.length * times }, (_, i) => values[i % values.length])
  const rows: Array<[string, string, string, string]> = []
  const row = (name: string, zkKit: (i: number) => unknown, ours: (i: number) => unknown) => {
    ours(0)
    zkKit(0)
    const baseline = timeEach(indices, zkKit)
    const figure = timeEach(many(indices, 10), ours)
    rows.push([name, ms(figure), ms(baseline), speedup(baseline, figure)])
  }
  row(
    'ECDH 8·k·P (sharedPoint)',
    (i) => zkKitSharedPoint(keypairs[i].privateKey, [peers[i][0], peers[i][1]]),
    (i) => sharedPoint(keypairs[i].privateKey, peers[i]),
  )
  // The key is already in isOnCurve's cache here, so this is the signature equation alone.
  row(
    'EdDSA-Poseidon verify',
    (i) => verifySignature(messages[i], signatures[i], [keypairs[i].publicKey[0], keypairs[i].publicKey[1]]),
    (i) => verify(keypairs[i].publicKey, messages[i], signatures[i]),
  )
  row(
    'subgroup check l·P = 0',
    (i) => zkKitInSubgroup([peers[i][0], peers[i][1]]),
    (i) => isInPrimeSubgroup(peers[i]),
  )
  row(
    'EdDSA-Poseidon sign',
    (i) => zkSign(maciSeed(keypairs[i].privateKey), messages[i]),
    (i) => sign(keypairs[i].privateKey, messages[i]),
  )
  row(
    'public key from private key',
    (i) => derivePublicKey(maciSeed(keypairs[i].privateKey)),
    (i) => keypairFromPrivateKey(keypairs[i].privateKey),
  )
  return rows
}

export async function runTallyBench(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'maci-anon-tally-bench-'))
  try {
    console.log(`tally bench: ${SIGNUPS} signed-up keys, ${DEACTIVATED} of them deactivated, ${VOTES} votes (${VOTES / SIGNUPS} per key, the last one counts)`)
    const setupStarted = performance.now()
    const { operator, privateKey, ciphertexts, expected } = await buildOperator(join(directory, 'operator'))
    console.log(`  set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`)
    try {
      const tallyMs: number[] = []
      for (let run = 0; run < TALLY_RUNS; run++) {
        const started = performance.now()
        const tally = await operator.tally()
        tallyMs.push(performance.now() - started)
        if (JSON.stringify(tally.counts) !== JSON.stringify(expected)) {
          throw new Error(`tally ${JSON.stringify(tally.counts)} differs from the expected ${JSON.stringify(expected)}`)
        }
      }
      const tallyPerVote = median(tallyMs) / VOTES

      // The baseline on a sample of the same votes; the zk-kit decryption must open them to the same bytes.
      const sample = ciphertexts.slice(0, BASELINE_SAMPLE)
      for (const ciphertext of sample) {
        if (!Buffer.from(zkKitDecrypt(privateKey, ciphertext, EncryptionContext.vote)).equals(Buffer.from(decryptWith(privateKey, ciphertext, EncryptionContext.vote)))) {
          throw new Error('the zk-kit decryption and the new one disagree')
        }
      }
      zkKitCheckedKeys.clear()
      const baselinePerVote = timeEach(sample, (ciphertext) => {
        const message = decodeMessage(zkKitDecrypt(privateKey, ciphertext, EncryptionContext.vote))
        if (!zkKitVerifyMessage(message)) throw new Error('a sampled vote does not verify under zk-kit')
        hashPublicKey(message.publicKey)
      })

      // Where the new per-vote time goes, on a larger sample.
      const breakdownSample = ciphertexts.slice(0, 1_000)
      const messages = breakdownSample.map((ciphertext) => decodeMessage(decryptWith(privateKey, ciphertext, EncryptionContext.vote)))
      const decryptMs = timeEach(breakdownSample, (ciphertext) => decryptWith(privateKey, ciphertext, EncryptionContext.vote))
      const verifyMs = timeEach(messages, verifyMessage)
      const digestMs = timeEach(messages, (m) => poseidon([BigInt(m.kind), m.publicKey[0], m.publicKey[1], m.payload, m.nonce]))
      const keyHashMs = timeEach(messages, (m) => hashPublicKey(m.publicKey))

      const votesPerSecond = 1000 / tallyPerVote
      const met = votesPerSecond >= TARGET_VOTES_PER_SECOND ? 'met' : 'missed'
      console.log(`\ntally: median of ${TALLY_RUNS} runs of Operator.tally(); baseline: zk-kit decryption and verification of ${BASELINE_SAMPLE} of the same votes\n`)
      printTable(['measure', 'maci-anon', 'baseline (zk-kit)', 'ratio'], [
        [
          `tally rate, ${VOTES} votes (target ${TARGET_VOTES_PER_SECOND} votes/s: ${met})`,
          `${Math.round(votesPerSecond)} votes/s`,
          `${Math.round(1000 / baselinePerVote)} votes/s`,
          speedup(baselinePerVote, tallyPerVote),
        ],
        [`tally of ${VOTES} votes`, `${(median(tallyMs) / 1000).toFixed(2)} s`, `${((baselinePerVote * VOTES) / 1000).toFixed(1)} s (extrapolated)`, ''],
        ['per vote', ms(tallyPerVote), ms(baselinePerVote), speedup(baselinePerVote, tallyPerVote)],
        ['  decryptWith (ECDH, HKDF, AES-GCM)', ms(decryptMs), '', ''],
        ['  verifyMessage (two Poseidon hashes, the equation)', ms(verifyMs), '', ''],
        ['    of which the message digest Poseidon(5)', ms(digestMs), '', ''],
        ['  hashPublicKey Poseidon(2)', ms(keyHashMs), '', ''],
      ])
      console.log('\nper operation, new code against zk-kit on the same random inputs\n')
      printTable(['measure', 'maci-anon', 'baseline (zk-kit)', 'ratio'], microFigures())
    } finally {
      await operator.close()
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
