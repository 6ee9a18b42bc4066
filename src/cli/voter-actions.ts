/**
 * What `maci-anon voter keygen|import-key|export-key|signup|deactivate|sync|reactivate|vote|status` do, loaded
 * when one of them runs (voter-commands.ts declares them and their flags). Keys and
 * deactivation secrets live in the encrypted keystore; every network step is one short-lived
 * light node. `reactivate` prints only the operator's fixed acknowledgement, so its output
 * is the same whether the deactivation behind it was valid or not (DESIGN P1).
 *
 * The voter has no persistent peer identity: every command that touches the network runs on
 * a fresh one of its own, thrown away when it ends, so the operator cannot link two commands
 * (and in particular the old key's signup and deactivation to the new key's votes) by peer
 * ID. A reactivation uses its identity for every read and for the 2PC (DESIGN 2.5). The IP
 * address still links them; that limit is documented (docs/SECURITY.md).
 *
 * A deactivation is saved in the keystore as pending before it is sent, and completed when
 * its receipt arrives. A pending entry is recovered, on an identity of its own, before
 * `deactivate`, `sync` or `reactivate` does anything else (`recoverPending`).
 */
import { randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { generateKeypair, keypairFromPrivateKey, publicKeyToString, type PublicKey } from '../crypto/keys.js'
import { decodePrivateKey, encodePrivateKey, encodePublicKey } from '../crypto/maci-key-format.js'
import type { Config } from '../daemon/config.js'
import type { PublicParameters } from '../core/parameters.js'
import { dataPaths } from '../daemon/paths.js'
import { makeDeactivation, makeVote } from '../core/voter.js'
import { AnonymousClient, checkAnonymitySet, type StoredReceipt, type TreeSyncOptions, type VerifiedTree, type VoterEndpoints } from '../daemon/voter-client.js'
import {
  completePending,
  currentKey,
  keystoreExists,
  loadVoterState,
  lockKeystore,
  saveVoterState,
  type PendingDeactivation,
  type VoterDeactivation,
  type VoterState,
} from '../daemon/voter-keystore.js'
import { RemoteAbortError } from '../protocol/errors.js'
import { ReactivationSessionError } from '../core/reactivation/errors.js'
import { assertPinnedKeyCommitment } from '../core/reactivation/key-pin.js'
import { usesVoterInputs, type ReactivationPhase } from '../core/reactivation/options.js'
import { CliError } from './errors.js'
import { commandConfig, isJson } from './options.js'
import { canPrompt, promptPassphrase, readHidden } from './passphrase.js'
import { printResult, table } from './output.js'
import { formatBytes, Progress } from './progress.js'

const PHASE_LABELS: Record<ReactivationPhase, string> = {
  handshake: '2PC: handshake with the operator (fresh peer identity)',
  triples: '2PC: Beaver triples by oblivious transfer',
  'shared-hash': '2PC: shared Poseidon H(K, c, i)',
  'validity-bit': '2PC: validity bit by garbled circuit',
  proof: '2PC: collaborative Groth16 proof',
  submit: 'sealing and submitting',
}

interface VoterContext {
  config: Config
  keystore: string
  passphrase: string
  json: boolean
}

export async function keygen(options: { ifMissing?: boolean }, command: Command): Promise<void> {
  const context = await voterContext(command, true)
  if (await keystoreExists(context.keystore)) {
    if (options.ifMissing !== true) throw new CliError(`a keystore already exists at ${context.keystore}`)
    // Opened, not only found: a keystore this passphrase cannot open fails here, not at the next step.
    const { key } = currentKey(await loadLockedState(context))
    const result = { ...publicKeyFields(key.keypair.publicKey), keystore: context.keystore, existing: true }
    printResult(context.json, result, table(Object.entries(result)))
    return
  }
  await mkdir(dirname(context.keystore), { recursive: true, mode: 0o700 })
  const keypair = generateKeypair()
  await saveVoterState(context.keystore, context.passphrase, { keys: [{ keypair, origin: 'keygen' }], deactivations: [], pending: [] })
  const result = { ...publicKeyFields(keypair.publicKey), keystore: context.keystore }
  printResult(context.json, result, table(Object.entries(result)))
}

/**
 * A MACI private key (macisk.…) as the current key: a new keystore holding it, or, with
 * --replace-current, the newest key of the existing one, whose earlier keys and
 * deactivation secrets stay. Importing the current key again changes nothing.
 */
export async function importKey(text: string | undefined, options: { replaceCurrent?: boolean }, command: Command): Promise<void> {
  const keypair = keypairFromPrivateKey(parsePrivateKey(await privateKeyText(text)))
  const context = await voterContext(command, true)
  if (!(await keystoreExists(context.keystore))) {
    await mkdir(dirname(context.keystore), { recursive: true, mode: 0o700 })
    await saveVoterState(context.keystore, context.passphrase, { keys: [{ keypair, origin: 'import' }], deactivations: [], pending: [] })
    const result = { key: 0, ...publicKeyFields(keypair.publicKey), keystore: context.keystore }
    printResult(context.json, result, table(Object.entries(result)))
    return
  }
  const state = await loadLockedState(context)
  const held = state.keys.findIndex((key) => Buffer.from(key.keypair.privateKey).equals(Buffer.from(keypair.privateKey)))
  if (held >= 0 && held === currentKey(state).index) {
    const result = { key: held, ...publicKeyFields(keypair.publicKey), keystore: context.keystore, existing: true }
    printResult(context.json, result, table(Object.entries(result)))
    return
  }
  if (held >= 0) throw new CliError(`the keystore ${context.keystore} holds this key already, as key ${held}`)
  if (options.replaceCurrent !== true) {
    throw new CliError(`a keystore already exists at ${context.keystore}: add --replace-current to make the imported key its current key`)
  }
  state.keys.push({ keypair, origin: 'import' })
  await saveVoterState(context.keystore, context.passphrase, state)
  const result = { key: state.keys.length - 1, ...publicKeyFields(keypair.publicKey), keystore: context.keystore }
  printResult(context.json, result, table(Object.entries(result)))
}

/** A key in MACI's format; the private key only when asked, with a warning on stderr. */
export async function exportKey(options: { key?: string; private?: boolean }, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const index = keyIndex(state, options.key)
  const { keypair } = state.keys[index]
  const result: Record<string, unknown> = { key: index, ...publicKeyFields(keypair.publicKey) }
  if (options.private === true) {
    process.stderr.write('warning: the line macisk.… is this key’s private key: whoever reads it can sign, vote and deactivate as you\n')
    result.macisk = encodePrivateKey(keypair.privateKey)
  }
  printResult(context.json, result, table(Object.entries(result)))
}

export async function signup(options: { key?: string; ifMissing?: boolean }, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const index = keyIndex(state, options.key)
  const known = state.keys[index].stateIndex
  if (options.ifMissing === true && known !== undefined) {
    printResult(context.json, { key: index, stateIndex: known, existing: true }, table([['key', index], ['state index', known], ['existing', true]]))
    return
  }
  const { stateIndex } = await withFreshClient(context, (client) => client.signup(state.keys[index].keypair.publicKey))
  state.keys[index].stateIndex = stateIndex
  await saveVoterState(context.keystore, context.passphrase, state)
  printResult(context.json, { key: index, stateIndex }, table([['key', index], ['state index', stateIndex]]))
}

export async function deactivate(options: { key?: string }, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const index = keyIndex(state, options.key)
  const hadPending = state.pending.some((entry) => entry.keyIndex === index)
  const recovered = await recoverPending(context, state, new Progress())
  // A key with a deactivation in flight gets no second one: a new message would get a
  // random leaf if the first had landed, and its secret would replace the real one.
  const deactivation = hadPending
    ? recovered.find((entry) => entry.keyIndex === index)
    : await withFreshClient(context, async (client) => {
        const params = await client.confirmedParameters()
        const made = makeDeactivation(state.keys[index].keypair, params)
        // Pinned: the reactivation runs only under the KC this deactivation was made under.
        const pending: PendingDeactivation = { keyIndex: index, ...made, keyCommitment: params.keyCommitment }
        state.pending.push(pending)
        await saveVoterState(context.keystore, context.passphrase, state)
        const receipt = await sendPending(context, state, pending, client)
        return { keyIndex: index, deactivation: completePending(state, pending, receipt), ...receipt }
      })
  await saveVoterState(context.keystore, context.passphrase, state)
  if (deactivation === undefined) throw new CliError(`the pending deactivation of key ${index} could not be completed`)
  const result = { deactivation: deactivation.deactivation, leafIndex: deactivation.leafIndex, leaf: deactivation.leaf, root: deactivation.root }
  printResult(context.json, result, table(Object.entries(result)))
}

export async function sync(_options: unknown, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const progress = new Progress()
  await recoverPending(context, state, progress)
  // A check, not a proof: with no replica it reports the operator's word as such (0 confirmations).
  const synced = await withFreshClient(context, async (client) =>
    syncWithProgress(client, await client.parameters(), progress, { receipts: state.deactivations, allowSingleSource: true }),
  )
  const result = { leaves: synced.leaves.length, root: synced.root, source: synced.source, confirmations: synced.confirmations }
  printResult(context.json, result, table(Object.entries(result)))
}

export async function reactivate(options: { deactivation?: string }, command: Command): Promise<void> {
  const context = await voterContext(command)
  const { config } = context
  const state = await loadLockedState(context)
  const progress = new Progress()
  checkNoRecentRecovery(state, config.recoveryCooldownMs)
  const deactivation = pickDeactivation(state, options.deactivation)
  checkSessionBudget(state, deactivation, config.reactivationSessionLimit)
  // One fresh identity for everything this reactivation reads and for the 2PC.
  const { acknowledgement } = await withFreshClient(context, async (client) => {
    const params = await client.parameters()
    // Before any other read: a switched KC stops every voter here alike.
    assertPinnedKeyCommitment(params, deactivation.keyCommitment)
    if (deactivation.keyCommitment === undefined) {
      progress.note('this deactivation was saved before maci-anon pinned the key commitment: the one the operator publishes now is not checked')
    }
    const tree = await syncWithProgress(client, params, progress, {
      receipts: state.deactivations,
      allowSingleSource: config.allowSingleSource,
    })
    progress.note(
      tree.confirmations > 0
        ? `${tree.leaves.length} leaves; their root carries the operator's signature, confirmed by ${tree.confirmations} replica(s)`
        : `${tree.leaves.length} leaves; confirmed by no replica (--allow-single-source)`,
    )
    checkAnonymitySet(tree.leaves.length, deactivation.leafIndex, config.anonymitySet)
    progress.note(`anonymity set: ${tree.leaves.length - deactivation.leafIndex - 1} leaves follow yours (at least ${config.anonymitySet} required)`)
    const newKeypair = generateKeypair()
    // Saved before the session: if the session completes but the reply is lost, or this
    // process dies, the key is not lost. Undone below when the operator cannot have
    // recorded the attempt (unusedAttemptDropped).
    const attempt = markAttempt(state, deactivation, newKeypair)
    await saveVoterState(context.keystore, context.passphrase, state)
    let submitted = false
    let inputsUsed = false
    try {
      // Loaded here only: the session pulls in the MPC engine and circuit artifacts.
      const { prepareVoterReactivation } = await import('../core/reactivation/voter-session.js')
      progress.begin('membership proof (voter alone, before the session: the operator checks it first)')
      const prepared = prepareVoterReactivation({
        secret: deactivation.secret,
        leafIndex: deactivation.leafIndex,
        leaves: tree.leaves,
        newPublicKey: newKeypair.publicKey,
        params,
        deactivatedUnder: deactivation.keyCommitment,
      })
      await prepared.membership
      progress.end()
      // After the proof, so the delay hides the proof's own duration too.
      await randomDelay(config.reactivationDelayMaxMs, progress)
      const ack = await client.reactivate(prepared, {
        onPhase: (phase) => {
          // From here on the sealed submission may be on its way: the operator may record it.
          if (phase === 'submit') submitted = true
          if (usesVoterInputs(phase)) inputsUsed = true
          progress.begin(PHASE_LABELS[phase])
        },
        onTraffic: (stats) => progress.update(trafficLine(stats)),
        // Turned away at admission, before the hello: the client comes back by itself.
        onBusy: (waitMs, reason) => progress.note(`operator busy (${reason}); trying again in ${(waitMs / 1000).toFixed(1)} s`),
      })
      progress.end()
      return ack
    } catch (error) {
      progress.fail()
      const dropped = unusedAttemptDropped(state, attempt, submitted, error)
      if (inputsUsed) deactivation.failedSessions = (deactivation.failedSessions ?? 0) + 1
      if (dropped || inputsUsed) await saveVoterState(context.keystore, context.passphrase, state)
      if (dropped) progress.note('the operator recorded nothing: the deactivation is still usable and the unused key was dropped')
      if (inputsUsed) {
        progress.note(
          `this session failed after it used the deactivation's secret: ${deactivation.failedSessions} of at most ` +
            `${config.reactivationSessionLimit} such sessions (reactivationSessionLimit)`,
        )
      }
      throw error
    }
  })
  printResult(context.json, { acknowledgement }, `reactivation submitted: ${acknowledgement}`)
}

export async function vote(option: string, options: { key?: string }, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const index = keyIndex(state, options.key)
  const choice = parseIndex(option, 'vote option')
  const { index: voteIndex } = await withFreshClient(context, async (client) =>
    client.vote(makeVote(state.keys[index].keypair, await client.parameters(), choice)),
  )
  const rows: Array<[string, unknown]> = [
    ['key', index],
    ['option', choice],
    ['vote index', voteIndex],
  ]
  printResult(context.json, { key: index, option: choice, vote: voteIndex }, table(rows))
}

export async function status(_options: unknown, command: Command): Promise<void> {
  const context = await voterContext(command)
  const state = await loadLockedState(context)
  const current = state.keys.length === 0 ? undefined : currentKey(state).index
  const keys = state.keys.map((key, index) => ({
    index,
    ...publicKeyFields(key.keypair.publicKey),
    origin: key.origin,
    stateIndex: key.stateIndex,
    // The key that votes and deactivates when no --key is given.
    current: index === current,
  }))
  const deactivations = state.deactivations.map((entry, index) => ({
    index,
    key: entry.keyIndex,
    leafIndex: entry.leafIndex,
    reactivatedAs: entry.reactivatedAs,
    failedSessions: entry.failedSessions ?? 0,
  }))
  const pending = state.pending.map((entry) => ({ key: entry.keyIndex }))
  const remote = await withFreshClient(context, async (client) => ({ operator: await client.status() })).catch((error: Error) => ({
    operator: { unreachable: error.message },
  }))
  const operator = remote.operator
  const operatorLine =
    'unreachable' in operator
      ? `operator: unreachable (${operator.unreachable})`
      : `operator: ${operator.role} ${operator.version}, ${operator.leaves} leaves, root ${operator.root}` +
        (operator.signups === undefined ? '' : `, ${operator.signups} signups, ${operator.deactivations} deactivations, ${operator.votes} votes`)
  const lines = [
    ...keys.map((key) => {
      const signedUp = key.stateIndex === undefined ? 'not signed up' : `state index ${key.stateIndex}`
      return `${key.current ? '*' : ' '} key ${key.index} (${key.origin}, ${signedUp}): ${key.macipk}${key.current ? '  <- current' : ''}`
    }),
    ...deactivations.map((entry) => {
      const attempt = entry.reactivatedAs === undefined ? '' : `, reactivation attempted as key ${entry.reactivatedAs}`
      const failed = entry.failedSessions === 0 ? '' : `, ${entry.failedSessions} failed session(s) after its secret was used`
      return `deactivation ${entry.index}: key ${entry.key}, leaf ${entry.leafIndex}${attempt}${failed}`
    }),
    ...pending.map((entry) => `pending deactivation of key ${entry.key}: sent, receipt not confirmed (the next "voter deactivate" recovers it)`),
    operatorLine,
  ]
  printResult(context.json, { keys, deactivations, pending, ...remote }, lines.join('\n'))
}


/** A reactivation attempt as saved before its session, so that it can be undone exactly. */
interface SavedAttempt {
  deactivation: VoterDeactivation
  key: VoterState['keys'][number]
  /** What the deactivation said before: unset, or an earlier attempt whose outcome is unknown. */
  previous: number | undefined
}

function markAttempt(state: VoterState, deactivation: VoterDeactivation, keypair: VoterState['keys'][number]['keypair']): SavedAttempt {
  const key = { keypair, origin: 'reactivation' as const }
  const previous = deactivation.reactivatedAs
  state.keys.push(key)
  deactivation.reactivatedAs = state.keys.length - 1
  return { deactivation, key, previous }
}

/**
 * Undoes a saved attempt that the operator cannot have recorded, and says whether it did:
 * the session failed before the sealed submission left (a refused hello, BUSY,
 * RELEASE_MISMATCH, KEY_COMMITMENT_CHANGED, a proof that failed, a session that broke
 * before its submit phase), or
 * the operator refused the submission itself, which it does with nothing recorded
 * (PROTOCOL.md 5.5). Then the new key was never seen and the deactivation's nullifier is
 * unspent: the key is dropped and the deactivation is usable again, as it was. Any failure
 * once the submission may have left keeps both, since the operator may have recorded the
 * attempt (its nullifier then spent, its key perhaps active).
 */
function unusedAttemptDropped(state: VoterState, attempt: SavedAttempt, submitted: boolean, error: unknown): boolean {
  const refusedSubmission = error instanceof ReactivationSessionError && error.code === 'REFUSED'
  if (submitted && !refusedSubmission) return false
  const at = state.keys.lastIndexOf(attempt.key)
  if (at !== state.keys.length - 1 || attempt.deactivation.reactivatedAs !== at) return false
  state.keys.pop()
  attempt.deactivation.reactivatedAs = attempt.previous
  return true
}

/** A public key as MACI writes it (macipk.…) and as the decimal pair x:y. */
function publicKeyFields(publicKey: PublicKey): { macipk: string; publicKey: string } {
  return { macipk: encodePublicKey(publicKey), publicKey: publicKeyToString(publicKey) }
}

/** A mistyped key is the user's error: one sentence, which never repeats the key. */
function parsePrivateKey(text: string): Uint8Array {
  try {
    return decodePrivateKey(text.trim())
  } catch (error) {
    throw new CliError((error as Error).message)
  }
}

/**
 * The text of a private key to import: the argument, else typed with echo off on a terminal,
 * else all of stdin, so that a script need not put it where `ps` shows it.
 */
async function privateKeyText(argument: string | undefined): Promise<string> {
  if (argument !== undefined) return argument
  if (canPrompt()) return readHidden('MACI private key (macisk.…): ')
  if (process.stdin.isTTY === true) throw new CliError('give the MACI private key as an argument or on stdin')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The keystore's state, held by this command until it exits (lockKeystore). */
async function loadLockedState(context: VoterContext): Promise<VoterState> {
  // With no keystore there is nothing to guard, and loadVoterState says how to make one.
  if (await keystoreExists(context.keystore)) lockKeystore(context.keystore)
  return loadVoterState(context.keystore, context.passphrase)
}

/** `forKeygen`: a passphrase asked for a keystore that does not exist yet is typed twice. */
async function voterContext(command: Command, forKeygen = false): Promise<VoterContext> {
  const config = await commandConfig('voter', command)
  const keystore = resolve(dataPaths(config.dataDir).voterKeystore)
  let passphrase = config.passphrase
  if (passphrase === undefined) {
    if (!canPrompt()) throw new CliError('the keystore passphrase is needed: set MACI_ANON_PASSPHRASE or --passphrase, or run on a terminal to be asked')
    passphrase = await promptPassphrase(forKeygen && !(await keystoreExists(keystore)))
  }
  return { config, keystore, passphrase, json: isJson(command) }
}

function endpoints(config: Config): VoterEndpoints {
  if (config.operatorAddress === undefined) throw new CliError('operatorAddress is not configured')
  return {
    operator: multiaddr(config.operatorAddress),
    replicas: config.replicaAddress.map((address) => multiaddr(address)),
    dialTimeoutMs: config.dialTimeoutMs,
  }
}

/** A task on a fresh identity that is thrown away afterwards: one per command, or per pending deactivation. */
async function withFreshClient<T>(context: VoterContext, task: (client: AnonymousClient) => Promise<T>): Promise<T> {
  const client = await AnonymousClient.start(endpoints(context.config))
  try {
    return await task(client)
  } finally {
    await client.stop()
  }
}

/**
 * The deactivation was sent, or may have been, and no receipt came: the operator may have
 * recorded it. The keystore keeps it as pending, and the next command recovers it.
 */
export class DeactivationUnconfirmedError extends CliError {
  constructor(
    readonly keyIndex: number,
    cause: Error,
  ) {
    super(
      `the deactivation of key ${keyIndex} was sent but its receipt did not arrive (${cause.message}); the operator may have recorded it. ` +
        'Its secret and ciphertext are saved in the keystore as pending: the next "voter deactivate" (or "voter sync", "voter reactivate") ' +
        'finds it in the public log, or re-sends the same ciphertext if the operator never got it. Do not make a new keystore.',
      'DEACTIVATION_UNCONFIRMED',
    )
  }
}

/**
 * Sends a saved pending deactivation; its receipt. An open refusal (REFUSED: undecryptable,
 * or a key the operator does not know) recorded nothing, so the entry is dropped; any other
 * failure leaves it pending and becomes a DeactivationUnconfirmedError.
 */
async function sendPending(context: VoterContext, state: VoterState, pending: PendingDeactivation, client: AnonymousClient): Promise<StoredReceipt> {
  try {
    const receipt = await client.deactivate(pending.ciphertext)
    return { leafIndex: receipt.index, leaf: receipt.leaf, root: receipt.root }
  } catch (error) {
    if (error instanceof RemoteAbortError && error.remoteCode === 'REFUSED') {
      state.pending.splice(state.pending.indexOf(pending), 1)
      await saveVoterState(context.keystore, context.passphrase, state)
      throw error
    }
    throw new DeactivationUnconfirmedError(pending.keyIndex, error as Error)
  }
}

interface RecoveredDeactivation extends StoredReceipt {
  keyIndex: number
  /** Its index in the keystore's deactivations. */
  deactivation: number
}

/**
 * Completes every pending deactivation, each on a fresh identity of its own (two keys'
 * messages never share one), saving the keystore after each, by sending the SAME saved
 * ciphertext again, never a new one. The operator answers a ciphertext already in its log
 * with the original receipt and records nothing, so the re-send is idempotent: if the first
 * sending had landed, the voter gets that real leaf back; if not, this is the first sending.
 * A new message would instead get a random leaf once the first had landed, and its secret
 * would replace the real one. The receipt is then checked against every list synced later.
 *
 * Recovery never reads one root or one path (they would name the voter's index), and never
 * runs inside `voter reactivate`: an operator that dropped the reply on purpose knows whom
 * this recovery is from, so a reactivation right after it could be linked by timing.
 * Each recovered entry keeps the time of its recovery, and reactivations wait a cooldown.
 */
async function recoverPending(context: VoterContext, state: VoterState, progress: Progress): Promise<RecoveredDeactivation[]> {
  const recovered: RecoveredDeactivation[] = []
  for (const pending of [...state.pending]) {
    progress.begin(`recovering the unconfirmed deactivation of key ${pending.keyIndex}: re-sending the same ciphertext (fresh peer identity)`)
    try {
      const receipt = await withFreshClient(context, (client) => sendPending(context, state, pending, client))
      const deactivation = completePending(state, pending, receipt)
      state.deactivations[deactivation].recoveredAt = Date.now()
      recovered.push({ keyIndex: pending.keyIndex, deactivation, ...receipt })
      progress.note(
        `recorded at leaf index ${receipt.leafIndex}; wait ${formatDuration(context.config.recoveryCooldownMs)} before any reactivation ` +
          '(the operator saw this recovery)',
      )
      await saveVoterState(context.keystore, context.passphrase, state)
      progress.end()
    } catch (error) {
      progress.fail()
      throw error
    }
  }
  return recovered
}

/**
 * A reactivation neither recovers a lost receipt nor follows one closely: the operator knows
 * whose reply it dropped, so it knows who recovers, and when (see recoverPending).
 */
function checkNoRecentRecovery(state: VoterState, cooldownMs: number): void {
  if (state.pending.length > 0) {
    throw new CliError(
      `deactivation of key ${state.pending[0].keyIndex} is unconfirmed (its receipt was lost): run "voter sync" to recover it, ` +
        `then wait ${formatDuration(cooldownMs)} before reactivating`,
    )
  }
  const last = Math.max(0, ...state.deactivations.map((entry) => entry.recoveredAt ?? 0))
  const readyAt = last + cooldownMs
  if (Date.now() < readyAt) {
    throw new CliError(
      `a lost receipt was recovered ${formatDuration(Date.now() - last)} ago; the operator saw that recovery, so a reactivation ` +
        `right after it could be linked to you by timing. Reactivate after ${new Date(readyAt).toISOString()} ` +
        '(recoveryCooldownMs, MACI_ANON_RECOVERY_COOLDOWN_MS)',
    )
  }
}

/**
 * Issue 9, "Retries": every session that fails after the voter's inputs entered it gives an
 * operator that deviates one more look at how the voter's side behaves on them (whether and
 * where it stops: a selective-failure bit). So the sessions of one deactivation that may fail
 * that way are bounded (SECURITY.md, Retries); past the bound the voter stops rather than
 * offer another look.
 */
function checkSessionBudget(state: VoterState, deactivation: VoterDeactivation, limit: number): void {
  const failed = deactivation.failedSessions ?? 0
  if (failed < limit) return
  throw new CliError(
    `deactivation ${state.deactivations.indexOf(deactivation)} has had ${failed} reactivation sessions fail after they used its secret, ` +
      `the most allowed (reactivationSessionLimit, MACI_ANON_REACTIVATION_SESSION_LIMIT, default 3): each may have let an operator ` +
      'that deviates learn about a bit of its inputs (which leaf is yours), so no further session is run. Raise the limit only if ' +
      'you accept that leakage (docs/SECURITY.md, Retries)',
  )
}

function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`
}

async function syncWithProgress(
  client: AnonymousClient,
  params: PublicParameters,
  progress: Progress,
  options: Pick<TreeSyncOptions, 'receipts' | 'allowSingleSource'>,
): Promise<VerifiedTree> {
  progress.begin('syncing the full leaf list and cross-checking its signed root (fresh peer identity)')
  try {
    const synced = await client.syncTree(params, {
      ...options,
      onProgress: (_kind, done, total) => progress.update(`${done}/${total} leaves`),
      onNote: (message) => progress.note(message),
    })
    progress.end()
    return synced
  } catch (error) {
    progress.fail()
    throw error
  }
}

/**
 * Waits a uniformly random time in [0, maxMs] (node:crypto), so the moment of the 2PC does
 * not follow from the moment of the sync.
 */
async function randomDelay(maxMs: number, progress: Progress): Promise<void> {
  const delayMs = randomInt(0, maxMs + 1)
  progress.begin(`waiting ${(delayMs / 1000).toFixed(1)} s before the 2PC (random delay, at most ${(maxMs / 1000).toFixed(1)} s)`)
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  progress.end()
}

function trafficLine(stats: { bytesSent: number; bytesReceived: number; messagesSent: number; messagesReceived: number }): string {
  return `${stats.messagesSent + stats.messagesReceived} messages, ${formatBytes(stats.bytesSent + stats.bytesReceived)}`
}

function parseIndex(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a non-negative integer`)
  return Number(text)
}

function keyIndex(state: VoterState, text: string | undefined): number {
  if (text === undefined) return currentKey(state).index
  const index = parseIndex(text, '--key')
  if (index >= state.keys.length) throw new CliError(`the keystore has no key ${index}`)
  return index
}

function pickDeactivation(state: VoterState, text: string | undefined): VoterDeactivation {
  if (text !== undefined) {
    const entry = state.deactivations[parseIndex(text, '--deactivation')]
    if (entry === undefined) throw new CliError(`the keystore has no deactivation ${text}`)
    return entry
  }
  const unused = state.deactivations.filter((entry) => entry.reactivatedAs === undefined).at(-1)
  if (unused === undefined) throw new CliError('no deactivation left to reactivate (run "voter deactivate")')
  return unused
}
