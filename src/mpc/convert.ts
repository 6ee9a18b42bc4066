/**
 * XOR-shared bits to additive shares over F_r: for x = x0 ^ x1, x = x0 + x1 - 2 x0 x1 in the
 * field, and x0 x1 is one OLE in which the receiver's factor is a single bit, so one OT and
 * one 32-byte correction per bit (ole.ts with receiverBits = 1, Gilboa 1999). This is how
 * the garbled circuit's XOR-shared validity bit enters the arithmetic 2PC.
 */
import { Fr } from '../crypto/field.js'
import { type OleOptions, oleMultiply } from './ole.js'
import type { MpcSession } from './session.js'

/** Additive shares of the bits whose XOR shares this party holds (one 0/1 value each). */
export async function xorBitsToAdditive(
  session: MpcSession,
  bitShares: readonly number[],
  options: Pick<OleOptions, 'otSender'> = {},
): Promise<bigint[]> {
  const bits = bitShares.map((bit) => {
    if (bit !== 0 && bit !== 1) throw new RangeError('a bit share is 0 or 1')
    return BigInt(bit)
  })
  const products = await oleMultiply(session, bits, { ...options, receiverBits: 1 })
  return bits.map((bit, i) => Fr.sub(bit, Fr.add(products[i], products[i])))
}

/** Additive share of one XOR-shared bit. */
export async function xorBitToAdditive(
  session: MpcSession,
  bitShare: 0 | 1,
  options: Pick<OleOptions, 'otSender'> = {},
): Promise<bigint> {
  return (await xorBitsToAdditive(session, [bitShare], options))[0]
}
