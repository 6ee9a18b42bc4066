/**
 * The voter's state, sealed in the keystore (src/crypto/keystore.ts): its keys, in the order
 * they were made, and every deactivation with the secret s the reactivation needs. Only the
 * voter holds this; losing the passphrase loses the ability to reactivate.
 */
import { access } from 'node:fs/promises'
import { keypairFromPrivateKey, type Keypair } from '../crypto/keys.js'
import { readKeystore, writeKeystore } from '../crypto/keystore.js'

export type KeyOrigin = 'keygen' | 'reactivation'

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
  /** From the operator's receipt. */
  leafIndex: number
  leaf: bigint
  root: bigint
  /** The key a reactivation of this deactivation asked for, once attempted. */
  reactivatedAs?: number
}

export interface VoterState {
  keys: VoterKey[]
  deactivations: VoterDeactivation[]
}

export class VoterKeystoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'VoterKeystoreError'
  }
}

interface StoredState {
  version: 1
  keys: Array<{ privateKey: string; origin: KeyOrigin; stateIndex?: number }>
  deactivations: Array<{
    keyIndex: number
    secret: string
    commitment: string
    leafIndex: number
    leaf: string
    root: string
    reactivatedAs?: number
  }>
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
  if (stored.version !== 1) throw new VoterKeystoreError(`unsupported voter state version ${String(stored.version)}`)
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
    })),
  }
}

export async function saveVoterState(path: string, passphrase: string, state: VoterState): Promise<void> {
  const stored: StoredState = {
    version: 1,
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
    })),
  }
  await writeKeystore(path, stored as unknown as Record<string, unknown>, passphrase)
}

/** The newest key: the one a voter signs with unless told otherwise. */
export function currentKey(state: VoterState): { index: number; key: VoterKey } {
  if (state.keys.length === 0) throw new VoterKeystoreError('the keystore holds no key')
  return { index: state.keys.length - 1, key: state.keys[state.keys.length - 1] }
}
