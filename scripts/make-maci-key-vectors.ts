/**
 * Writes test/crypto/fixtures/maci-keys.json: known answers for MACI's keys, computed by
 * MACI's own packages (@maci-protocol/crypto and @maci-protocol/domainobjs 3.0.0), so that
 * test/crypto/maci-keys.test.ts checks maci-anon against MACI without depending on them.
 *
 *   npm install --prefix /tmp/maci @maci-protocol/crypto@3.0.0 @maci-protocol/domainobjs@3.0.0
 *   MACI_NODE_MODULES=/tmp/maci/node_modules npx tsx scripts/make-maci-key-vectors.ts
 *
 * The private keys are fixed (small ones, ones with leading zero bytes, the largest, and
 * hashes of labels), so running it again gives the same file.
 */
import { createCipheriv, createHash, hkdfSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

type Point = [bigint, bigint]
interface MaciPrivateKey {
  raw: bigint
  serialize(): string
}
interface MaciPublicKey {
  raw: Point
  serialize(): string
}
interface Domainobjs {
  PrivateKey: (new (raw: bigint) => MaciPrivateKey) & { deserialize(text: string): MaciPrivateKey }
  PublicKey: { deserialize(text: string): MaciPublicKey }
  Keypair: (new (privateKey: MaciPrivateKey) => { privateKey: MaciPrivateKey; publicKey: MaciPublicKey }) & {
    generateEcdhSharedKey(privateKey: MaciPrivateKey, publicKey: MaciPublicKey): Point
  }
}
interface MaciCrypto {
  formatPrivateKeyForBabyJub(privateKey: bigint): bigint
  sign(privateKey: string, message: bigint): { R8: Point; S: bigint }
  verifySignature(message: bigint, signature: { R8: Point; S: bigint }, publicKey: Point): boolean
  packPublicKey(publicKey: Point): bigint
}
interface BabyJubjub {
  mulPointEscalar(point: Point, scalar: bigint): Point
}

const modules = process.env.MACI_NODE_MODULES ?? '/tmp/maci/node_modules'
const load = createRequire(join(modules, 'maci-vectors.cjs'))
const domainobjs = load('@maci-protocol/domainobjs') as Domainobjs
const crypto = load('@maci-protocol/crypto') as MaciCrypto
const babyJubjub = load('@zk-kit/baby-jubjub') as BabyJubjub
const versionOf = (name: string) => (JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { version: string }).version

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const sha256 = (label: string) => createHash('sha256').update(`maci-anon/maci-key-vectors/${label}`).digest()
const fromBytes = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`)

/** A key whose macipk body is shorter than 64 hex digits: its packed form has a leading zero byte. */
function shortPackedKey(): bigint {
  for (let i = 0; ; i++) {
    const raw = fromBytes(sha256(`short-macipk/${i}`))
    if (new domainobjs.Keypair(new domainobjs.PrivateKey(raw)).publicKey.serialize().length < 'macipk.'.length + 64) return raw
  }
}

const withLeadingZeros = sha256('leading-zeros')
withLeadingZeros.fill(0, 0, 3)

const privateKeys: Array<[string, bigint]> = [
  ['zero', 0n],
  ['one', 1n],
  ['two', 2n],
  ['small', 0xffn],
  ['three leading zero bytes', fromBytes(withLeadingZeros)],
  ['largest', (1n << 256n) - 1n],
  ['above the field modulus', R + 12345n],
  ['earlier known answer, key 1', 0x6d6163692d616e6f6e2f626162796a75626a75622f6b61742f76312f6b657931n],
  ['earlier known answer, key 2', 0x6d6163692d616e6f6e2f626162796a75626a75622f6b61742f76312f6b657932n],
  ['random 1', fromBytes(sha256('random/1'))],
  ['random 2', fromBytes(sha256('random/2'))],
  ['random 3', fromBytes(sha256('random/3'))],
  ['short macipk', shortPackedKey()],
]

const messages = [0n, 1n, R - 1n, fromBytes(sha256('message')) % R, 0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdefn]

const keypairs = privateKeys.map(([, raw]) => new domainobjs.Keypair(new domainobjs.PrivateKey(raw)))
const decimal = (point: Point): [string, string] => [point[0].toString(), point[1].toString()]

const vectors = privateKeys.map(([label, raw], i) => {
  const { privateKey, publicKey } = keypairs[i]
  const macisk = privateKey.serialize()
  const macipk = publicKey.serialize()
  // Both directions of MACI's own serialisation agree with the keypair.
  if (domainobjs.PrivateKey.deserialize(macisk).raw !== raw) throw new Error(`${label}: macisk does not round-trip`)
  const decoded = domainobjs.PublicKey.deserialize(macipk).raw
  if (decoded[0] !== publicKey.raw[0] || decoded[1] !== publicKey.raw[1]) throw new Error(`${label}: macipk does not round-trip`)
  const peer = keypairs[(i + 1) % keypairs.length]
  const ecdh = domainobjs.Keypair.generateEcdhSharedKey(privateKey, peer.publicKey)
  return {
    label,
    privateKey: raw.toString(16).padStart(64, '0'),
    macisk,
    secretScalar: crypto.formatPrivateKeyForBabyJub(raw).toString(),
    publicKey: decimal(publicKey.raw),
    packedPublicKey: crypto.packPublicKey(publicKey.raw).toString(),
    macipk,
    signatures: messages.map((message) => {
      const signature = crypto.sign(raw.toString(), message)
      if (!crypto.verifySignature(message, signature, publicKey.raw)) throw new Error(`${label}: MACI refuses its own signature`)
      return { message: message.toString(), R8: decimal(signature.R8), S: signature.S.toString() }
    }),
    ecdh: {
      peer: (i + 1) % keypairs.length,
      shared: decimal(ecdh),
      cofactorCleared: decimal(babyJubjub.mulPointEscalar(ecdh, 8n)),
    },
  }
})

/**
 * A ciphertext in maci-anon's wire format (docs/PROTOCOL.md §2; src/crypto/encryption.ts) to
 * the key 'earlier known answer, key 1', from the ephemeral key 'random 3', with MACI's ECDH:
 * the secret is 8·ECDH as sharedPoint clears the cofactor.
 */
function ecies() {
  const recipient = keypairs[7]
  const ephemeral = keypairs[11]
  const shared = babyJubjub.mulPointEscalar(domainobjs.Keypair.generateEcdhSharedKey(ephemeral.privateKey, recipient.publicKey), 8n)
  const word = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex')
  const nonce = sha256('ecies-nonce').subarray(0, 12)
  const header = Buffer.concat([word(ephemeral.publicKey.raw[0]), word(ephemeral.publicKey.raw[1]), nonce])
  const context = 'vote'
  const plaintext = 'maci-anon known answer'
  const secret = Buffer.concat([word(shared[0]), word(shared[1])])
  const key = Buffer.from(hkdfSync('sha256', secret, header.subarray(0, 64), `maci-anon/ecies/v1/${context}`, 32))
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(header)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return { recipient: 7, context, plaintext, ciphertext: Buffer.concat([header, body, cipher.getAuthTag()]).toString('hex') }
}

const fixture = {
  madeBy: {
    script: 'scripts/make-maci-key-vectors.ts',
    packages: Object.fromEntries(
      ['@maci-protocol/crypto', '@maci-protocol/domainobjs', '@zk-kit/eddsa-poseidon', '@zk-kit/baby-jubjub'].map((name) => [name, versionOf(name)]),
    ),
  },
  vectors,
  ecies: ecies(),
}

const out = new URL('../test/crypto/fixtures/maci-keys.json', import.meta.url)
writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`)
console.log(`wrote ${vectors.length} key vectors to ${out.pathname}`)
