/** /maci-anon/signup/1.0.0: register a MACI public key, get its state index. */
import type { PublicKey } from '../crypto/keys.js'
import { exchange, openChannel, type Dialer, type OpenOptions, type Target } from './client.js'
import { decodeAs, publicKeyFromWire, publicKeyToWire } from './codec.js'
import { SignupRequest, SignupResponse } from './generated/schema.js'
import type { ProtocolService } from './server.js'

export interface SignupBackend {
  signup(publicKey: PublicKey): Promise<{ stateIndex: number }>
}

export function signupService(backend: SignupBackend): ProtocolService {
  return {
    name: 'signup',
    async serve(channel) {
      const request = decodeAs(SignupRequest, await channel.receive(), 'signup request')
      const { stateIndex } = await backend.signup(publicKeyFromWire(request.publicKey, 'publicKey'))
      await channel.send(SignupResponse.encode({ stateIndex }))
    },
  }
}

export async function requestSignup(
  dialer: Dialer,
  target: Target,
  publicKey: PublicKey,
  options?: OpenOptions,
): Promise<{ stateIndex: number }> {
  const channel = await openChannel(dialer, target, 'signup', options)
  const response = await exchange(
    channel,
    SignupRequest.encode({ publicKey: publicKeyToWire(publicKey) }),
    { schema: SignupResponse, what: 'signup response' },
  )
  return { stateIndex: response.stateIndex }
}
