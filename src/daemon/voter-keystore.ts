/**
 * The voter's state, sealed in the keystore (src/crypto/keystore.ts): its keys, in the order
 * they were made, every deactivation with the secret s the reactivation needs, and the
 * deactivations sent but not yet confirmed by a receipt. Only the voter holds this; losing
 * the passphrase loses the ability to reactivate.
 *
 * A deactivation is saved as pending before it is sent: if the receipt is lost, the operator
 * may still have recorded it (a real leaf, the key now inactive), and only the saved secret
 * and ciphertext let the voter get that leaf back, by sending the same bytes again (the
 * operator answers a logged ciphertext with its original receipt).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { access } from 'node:fs/promises'
import { keypairFromPrivateKey, type Keypair } from '../crypto/keys.js'
import { readKeystore, writeKeystore } from '../crypto/keystore.js'
import { MaciAnonError } from '../errors.js'

/** How a key entered the keystore: `voter keygen`, a reactivation, or `voter import-key` of a MACI key. */
export type KeyOrigin = 'keygen' | 'reactivation' | 'import'

export interface VoterKey {
  keypair: Keypair
  origin: KeyOrigin
  /** Set once the key is signed up. */
  stateIndex?: number
}

export interface VoterDeactivation {
  /** Which key was deactivated (index into keys). */
  keyIndex: number
  secret: bigint
  commitment: bigint
  /** From the operator's receipt (the original one, when a lost receipt was recovered). */
  leafIndex: number
  leaf: bigint
  root: bigint
  /** The key a reactivation of this deactivation asked for, once attempted. */
  reactivatedAs?: number
  /** When its lost receipt was recovered (ms since the epoch): reactivations wait a cooldown after it. */
  recoveredAt?: number
  /** Reactivation sessions of it that failed after they used its secret (usesVoterInputs); unset for none. */
  failedSessions?: number
  /**
   * The operator's published KC when the deactivation was made: a reactivation runs only
   * under it (voter-session.ts). Unset in entries saved before maci-anon pinned it.
   */
  keyCommitment?: bigint
}

/** A deactivation saved before it was sent, whose receipt has not arrived. */
export interface PendingDeactivation {
  keyIndex: number
  secret: bigint
  commitment: bigint
  /** The exact bytes sent: the only way to recognise the entry in the log, and the only ones ever re-sent. */
  ciphertext: Uint8Array
  /** The operator's published KC when it was made (VoterDeactivation.keyCommitment). */
  keyCommitment?: bigint
}

export interface VoterState {
  keys: VoterKey[]
  deactivations: VoterDeactivation[]
  pending: PendingDeactivation[]
}

export class VoterKeystoreError extends MaciAnonError {
  constructor(message: string) {
    super('VOTER_KEYSTORE', message)
  }
}

/**
 * Version 2 added `pending`; version 3 holds keys of MACI's derivation (src/crypto/keys.ts),
 * and says so in `derivation`. Versions 1 and 2 hold keys of maci-anon 0.1's derivation: the
 * same private key gives another public key under MACI's, so they are refused rather than
 * read as other keys. A version 3 file is refused by the older readers, which would read its
 * keys with the old derivation.
 */
const VERSION = 3
const DERIVATION = 'maci'

interface StoredState {
  version: 3
  derivation: typeof DERIVATION
  keys: Array<{ privateKey: string; origin: KeyOrigin; stateIndex?: number }>
  deactivations: Array<{
    keyIndex: number
    secret: string
    commitment: string
    leafIndex: number
    leaf: string
    root: string
    reactivatedAs?: number
    recoveredAt?: number
    failedSessions?: number
    keyCommitment?: string
  }>
  pending: Array<{ keyIndex: number; secret: string; commitment: string; ciphertext: string; keyCommitment?: string }>
}

function optionalBigInt(value: string | undefined): bigint | undefined {
  return value === undefined ? undefined : BigInt(value)
}

export async function keystoreExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

export async function loadVoterState(path: string, passphrase: string): Promise<VoterState> {
  if (!(await keystoreExists(path))) throw new VoterKeystoreError(`no keystore at ${path} (run "voter keygen")`)
  const stored = (await readKeystore(path, passphrase)) as unknown as StoredState
  if ((stored.version as number) === 1 || (stored.version as number) === 2) {
    throw new VoterKeystoreError(
      `the keystore ${path} was made by maci-anon 0.1 with its old key derivation, which MACI does not share, and cannot be opened: ` +
        'move it aside and make a new key with "voter keygen" or "voter import-key" (nothing in it can be exported)',
    )
  }
  if (stored.version !== VERSION || stored.derivation !== DERIVATION) {
    throw new VoterKeystoreError(`unsupported voter state version ${String(stored.version)} (derivation ${String(stored.derivation)})`)
  }
  return {
    keys: stored.keys.map((key) => ({
      keypair: keypairFromPrivateKey(Uint8Array.from(Buffer.from(key.privateKey, 'hex'))),
      origin: key.origin,
      stateIndex: key.stateIndex,
    })),
    deactivations: stored.deactivations.map((entry) => ({
      ...entry,
      secret: BigInt(entry.secret),
      commitment: BigInt(entry.commitment),
      leaf: BigInt(entry.leaf),
      root: BigInt(entry.root),
      keyCommitment: optionalBigInt(entry.keyCommitment),
    })),
    pending: stored.pending.map((entry) => ({
      keyIndex: entry.keyIndex,
      secret: BigInt(entry.secret),
      commitment: BigInt(entry.commitment),
      ciphertext: Uint8Array.from(Buffer.from(entry.ciphertext, 'hex')),
      keyCommitment: optionalBigInt(entry.keyCommitment),
    })),
  }
}

export async function saveVoterState(path: string, passphrase: string, state: VoterState): Promise<void> {
  const stored: StoredState = {
    version: VERSION,
    derivation: DERIVATION,
    keys: state.keys.map((key) => ({
      privateKey: Buffer.from(key.keypair.privateKey).toString('hex'),
      origin: key.origin,
      stateIndex: key.stateIndex,
    })),
    deactivations: state.deactivations.map((entry) => ({
      ...entry,
      secret: entry.secret.toString(),
      commitment: entry.commitment.toString(),
      leaf: entry.leaf.toString(),
      root: entry.root.toString(),
      keyCommitment: entry.keyCommitment?.toString(),
    })),
    pending: state.pending.map((entry) => ({
      keyIndex: entry.keyIndex,
      secret: entry.secret.toString(),
      commitment: entry.commitment.toString(),
      ciphertext: Buffer.from(entry.ciphertext).toString('hex'),
      keyCommitment: entry.keyCommitment?.toString(),
    })),
  }
  await writeKeystore(path, stored as unknown as Record<string, unknown>, passphrase)
}

/**
 * Turns a pending deactivation into a deactivation with its receipt (from the operator, or
 * found in the log); returns its index in `deactivations`.
 */
export function completePending(state: VoterState, pending: PendingDeactivation, receipt: { leafIndex: number; leaf: bigint; root: bigint }): number {
  const at = state.pending.indexOf(pending)
  if (at < 0) throw new VoterKeystoreError('that deactivation is not pending in this keystore')
  state.pending.splice(at, 1)
  const { keyIndex, secret, commitment, keyCommitment } = pending
  state.deactivations.push({ keyIndex, secret, commitment, ...receipt, ...(keyCommitment === undefined ? {} : { keyCommitment }) })
  return state.deactivations.length - 1
}

/**
 * Holds the keystore for this process until it exits. Every command loads the whole state
 * and saves it back; two at once would lose one's update, and a lost deactivation secret is
 * a loss P1 hides. The lock is a file beside the keystore holding the owner's pid; one left
 * by a process that died (kill -9) is taken over.
 */
export function lockKeystore(path: string): void {
  const lock = `${path}.lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 })
      process.once('exit', () => rmSync(lock, { force: true }))
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number(readFileSync(lock, 'utf8'))
    if (Number.isSafeInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new VoterKeystoreError(`another maci-anon voter command (pid ${owner}) is using ${path}; run one at a time`)
    }
    rmSync(lock, { force: true })
  }
  throw new VoterKeystoreError(`cannot take the lock ${lock}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The newest key: the one a voter signs with unless told otherwise. */
export function currentKey(state: VoterState): { index: number; key: VoterKey } {
  if (state.keys.length === 0) throw new VoterKeystoreError('the keystore holds no key')
  return { index: state.keys.length - 1, key: state.keys[state.keys.length - 1] }
}
