import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { temporaryDirectory } from './helpers.js'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname

describe('npm run prove:sample', () => {
  let cleanup: () => Promise<void> = async () => {}
  afterAll(() => cleanup())

  it('writes proofs that the unmodified snarkjs CLI verifies', async () => {
    const temp = await temporaryDirectory()
    cleanup = temp.remove
    const out = join(temp.path, 'sample')
    await run(process.execPath, ['--import', 'tsx', join(root, 'scripts/prove-sample.ts'), out], { cwd: root })
    for (const name of ['membership', 'leaf_opening']) {
      const files = ['vkey', 'public', 'proof'].map((kind) => join(out, `${name}.${kind}.json`))
      const { stdout } = await run(process.execPath, [join(root, 'node_modules/snarkjs/cli.js'), 'groth16', 'verify', ...files])
      expect(stdout).toContain('OK!')
    }
  })
})
