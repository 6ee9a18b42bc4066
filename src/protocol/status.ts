/** /maci-anon/status/1.0.0: public counters of a node, for operators, voters and monitoring. */
import { exchange, openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { decodeAs, fieldFromBytes, fieldToWire } from './codec.js'
import { ProtocolError } from './errors.js'
import { StatusRequest, StatusResponse } from './generated/schema.js'
import type { ProtocolService } from './server.js'

export type NodeRole = 'operator' | 'replica'

export interface NodeStatus {
  role: NodeRole
  version: string
  /** Leaves in the deactivation tree, and its current root. */
  leaves: number
  root: bigint
  /** Operator only. */
  signups?: number
  deactivations?: number
  reactivationAttempts?: number
  votes?: number
}

export interface StatusBackend {
  status(): NodeStatus
}

export function statusService(backend: StatusBackend): ProtocolService {
  return {
    name: 'status',
    async serve(channel) {
      decodeAs(StatusRequest, await channel.receive(), 'status request')
      const status = backend.status()
      await channel.send(StatusResponse.encode({ ...status, root: fieldToWire(status.root) }))
    },
  }
}

export async function requestStatus(dialer: Dialer, target: Target, options?: OpenOptions): Promise<NodeStatus> {
  const channel = await openChannel(dialer, target, 'status', options)
  const response = await exchange(
    channel,
    StatusRequest.encode({}),
    { schema: StatusResponse, what: 'status response' },
  )
  if (response.role !== 'operator' && response.role !== 'replica') {
    throw new ProtocolError('MALFORMED', `unknown role ${JSON.stringify(response.role.slice(0, 32))}`)
  }
  return {
    role: response.role,
    version: response.version,
    leaves: response.leaves,
    root: fieldFromBytes(response.root, 'status root'),
    signups: response.signups,
    deactivations: response.deactivations,
    reactivationAttempts: response.reactivationAttempts,
    votes: response.votes,
  }
}
