/**
 * /maci-anon/message/1.0.0: a deactivation or a vote, encrypted to the operator. The server
 * cannot tell a valid message from an invalid one before the core has processed it, and the
 * core answers both alike, so the reply (and its timing) carries no validity signal.
 */
import { MESSAGE_CIPHERTEXT_BYTES } from '../core/messages.js'
import { type DeactivationReceipt } from '../core/operator-state.js'
import { exchange, openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { decodeAs, fieldFromBytes, fieldToWire } from './codec.js'
import { ProtocolError } from './errors.js'
import { MessageKind, MessageRequest, MessageResponse } from './generated/schema.js'
import type { ProtocolService } from './server.js'

export interface MessageBackend {
  submitDeactivation(ciphertext: Uint8Array): Promise<DeactivationReceipt>
  submitVote(ciphertext: Uint8Array): Promise<{ index: number }>
}

export function messageService(backend: MessageBackend): ProtocolService {
  return {
    name: 'message',
    async serve(channel) {
      const request = decodeAs(MessageRequest, await channel.receive(), 'message request')
      // Every message has one length (DESIGN 2.5): anything else is refused before the core sees it.
      if (request.ciphertext.length !== MESSAGE_CIPHERTEXT_BYTES) {
        throw new ProtocolError('MALFORMED', `a message ciphertext is ${MESSAGE_CIPHERTEXT_BYTES} bytes, got ${request.ciphertext.length}`)
      }
      switch (request.kind) {
        case MessageKind.DEACTIVATE: {
          const receipt = await backend.submitDeactivation(request.ciphertext)
          await channel.send(
            MessageResponse.encode({ index: receipt.index, leaf: fieldToWire(receipt.leaf), root: fieldToWire(receipt.root) }),
          )
          return
        }
        case MessageKind.VOTE: {
          const { index } = await backend.submitVote(request.ciphertext)
          await channel.send(MessageResponse.encode({ index }))
          return
        }
        default:
          throw new ProtocolError('MALFORMED', 'unknown message kind')
      }
    },
  }
}

export async function submitDeactivation(
  dialer: Dialer,
  target: Target,
  ciphertext: Uint8Array,
  options?: OpenOptions,
): Promise<DeactivationReceipt> {
  const response = await submit(dialer, target, MessageKind.DEACTIVATE, ciphertext, options)
  return {
    index: response.index,
    leaf: fieldFromBytes(response.leaf, 'receipt leaf'),
    root: fieldFromBytes(response.root, 'receipt root'),
  }
}

export async function submitVote(
  dialer: Dialer,
  target: Target,
  ciphertext: Uint8Array,
  options?: OpenOptions,
): Promise<{ index: number }> {
  const response = await submit(dialer, target, MessageKind.VOTE, ciphertext, options)
  return { index: response.index }
}

async function submit(
  dialer: Dialer,
  target: Target,
  kind: MessageKind,
  ciphertext: Uint8Array,
  options?: OpenOptions,
): Promise<MessageResponse> {
  const channel = await openChannel(dialer, target, 'message', options)
  return exchange(
    channel,
    MessageRequest.encode({ kind, ciphertext: Uint8Array.from(ciphertext) }),
    { schema: MessageResponse, what: 'message response' },
  )
}
