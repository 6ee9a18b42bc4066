import { it } from 'vitest'
import { mkdtemp, readFile, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readKeystore, writeKeystore } from '../../src/crypto/keystore.js'
it('x', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ks-'))
  const p = join(dir, 'k.json')
  await writeKeystore(p, { a: 1 }, 'pw')
  console.log((await stat(p)).mode.toString(8))
  const orig = JSON.parse(await readFile(p, 'utf8'))
  const tries: [string, (f: any) => void][] = [
    ['N=1000', (f) => { f.kdf.N = 1000 }],
    ['N=2^14', (f) => { f.kdf.N = 1 << 14 }],
    ['N=-1', (f) => { f.kdf.N = -1 }],
    ['N str', (f) => { f.kdf.N = 'x' }],
    ['tag4', (f) => { f.cipher.tag = Buffer.from(f.cipher.tag, 'base64').subarray(0, 4).toString('base64') }],
    ['tag0', (f) => { f.cipher.tag = '' }],
    ['nonce short', (f) => { f.cipher.nonce = Buffer.alloc(0).toString('base64') }],
    ['no salt', (f) => { delete f.kdf.salt }],
    ['null', (f) => { for (const k of Object.keys(f)) delete f[k] }],
    ['no kdf', (f) => { delete f.kdf }],
  ]
  for (const [name, mut] of tries) {
    const f = structuredClone(orig); mut(f)
    await writeFile(p, JSON.stringify(f))
    try { const r = await readKeystore(p, 'pw'); console.log(name, 'OK', r) } catch (e) { console.log(name, (e as Error).name, (e as Error).message) }
  }
  await writeFile(p, 'null')
  try { await readKeystore(p, 'pw'); console.log('null ok') } catch (e) { console.log('nullfile', (e as Error).name, (e as Error).message) }
})
