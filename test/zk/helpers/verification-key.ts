/** TEST ONLY: recomputes a key's verification key, to check the committed vkey files against. */
import { utils } from 'ffjavascript'
import type { Bn128, ParsedZkey } from '../../../src/zk/zkey.js'

/** The verification key JSON that `snarkjs zkey export verificationkey` writes for this key. */
export function verificationKeyFromZkey(zkey: ParsedZkey, curve: Bn128): Record<string, unknown> {
  return utils.stringifyBigInts({
    protocol: 'groth16',
    curve: curve.name,
    nPublic: zkey.nPublic,
    vk_alpha_1: curve.G1.toObject(zkey.alpha1),
    vk_beta_2: curve.G2.toObject(zkey.beta2),
    vk_gamma_2: curve.G2.toObject(zkey.gamma2),
    vk_delta_2: curve.G2.toObject(zkey.delta2),
    vk_alphabeta_12: curve.Gt.toObject(curve.pairing(zkey.alpha1, zkey.beta2)),
    IC: zkey.ic.map((point) => curve.G1.toObject(point)),
  }) as Record<string, unknown>
}
