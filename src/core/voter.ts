/**
 * The voter core, free of any transport: building signed, encrypted messages for the
 * operator, and the voter's half of a reactivation (DESIGN 2.2, 2.3). The light node and
 * the CLI wrap these.
 */
import { encryptTo } from '../crypto/encryption.js'
import { randomFieldElement } from '../crypto/field.js'
import { hashPublicKey, type Keypair, type PublicKey } from '../crypto/keys.js'
import { IncrementalMerkleTree } from '../crypto/merkle.js'
import { commitmentOf, nullifierOf, poseidon } from '../crypto/poseidon.js'
import { encodeMessage, MessageKind, signMessage } from '../crypto/signed-message.js'
import { MaciAnonError } from '../errors.js'
import { proveWithSnarkjs, type ProofWithSignals } from '../zk/groth16.js'
import { EncryptionContext } from './messages.js'
import type { PublicParameters } from './parameters.js'

export interface Deactivation {
  ciphertext: Uint8Array
  /** The secret s behind c = H(s + 1) and N = H(s + 2); the voter must keep it. */
  secret: bigint
  commitment: bigint
}

export function makeDeactivation(keypair: Keypair, params: PublicParameters): Deactivation {
  const secret = randomFieldElement()
  const commitment = commitmentOf(secret)
  const message = signMessage(keypair, MessageKind.deactivate, commitment)
  const ciphertext = encryptTo(params.operatorPublicKey, encodeMessage(message), EncryptionContext.deactivation)
  return { ciphertext, secret, commitment }
}

/** A vote for an option the poll does not define: the operator would ignore it, so it is not sent. */
export class VoteOptionError extends MaciAnonError {
  constructor(detail: string) {
    super('VOTE_OPTION', detail)
  }
}

export function makeVote(keypair: Keypair, params: PublicParameters, option: number): Uint8Array {
  if (!Number.isSafeInteger(option) || option < 0 || option >= params.voteOptions) {
    throw new VoteOptionError(`the poll's vote options are 0 to ${params.voteOptions - 1}, not ${option}`)
  }
  const message = signMessage(keypair, MessageKind.vote, BigInt(option))
  return encryptTo(params.operatorPublicKey, encodeMessage(message), EncryptionContext.vote)
}

export interface ReactivationRequest {
  secret: bigint
  leafIndex: number
  /** The whole public leaf list: fetching only one path would reveal the voter's index. */
  leaves: readonly bigint[]
  depth: number
  newPublicKey: PublicKey
}

/** Everything the voter computes for one reactivation. */
export interface VoterReactivation {
  root: bigint
  nullifier: bigint
  newKeyHash: bigint
  link: bigint
  /** The voter's private inputs to the leaf-opening proof. */
  leafOpening: { commitment: bigint; leaf: bigint; rho: bigint; index: bigint }
  membershipInput: Record<string, bigint | bigint[] | number[]>
}

export function prepareReactivation(request: ReactivationRequest): VoterReactivation {
  const tree = IncrementalMerkleTree.fromLeaves(request.depth, request.leaves)
  const { pathElements, pathIndices } = tree.path(request.leafIndex)
  const leaf = request.leaves[request.leafIndex]
  const commitment = commitmentOf(request.secret)
  const rho = randomFieldElement()
  const link = poseidon([commitment, leaf, rho])
  const nullifier = nullifierOf(request.secret)
  const newKeyHash = hashPublicKey(request.newPublicKey)
  return {
    root: tree.root,
    nullifier,
    newKeyHash,
    link,
    leafOpening: { commitment, leaf, rho, index: BigInt(request.leafIndex) },
    membershipInput: {
      root: tree.root,
      nullifier,
      newKeyHash,
      link,
      s: request.secret,
      leaf,
      pathElements,
      pathIndices,
      rho,
    },
  }
}

/** The membership proof, which the voter makes alone: it involves no operator secret. */
export function proveMembership(reactivation: VoterReactivation): Promise<ProofWithSignals> {
  return proveWithSnarkjs('membership', reactivation.membershipInput)
}
