/**
 * The layering of src/ is enforced by eslint.config.js. This test plants bad imports in a
 * throwaway tree linted with that config, so it shows the rule catching each kind of breach
 * whatever the state of the real tree, and that the imports the layering allows pass.
 */
import { copyFile, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LAYERING_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax'])

/** Planted imports the rule must report: file -> source, and what the message must say. */
const FORBIDDEN: Array<{ file: string; source: string; says: string; specifier: string }> = [
  { file: 'src/crypto/upward.ts', source: "import '../daemon/y.js'\n", specifier: '../daemon/y.js', says: 'src/crypto may import src/errors.ts,' },
  { file: 'src/protocol/sideways.ts', source: "import '../store/s.js'\n", specifier: '../store/s.js', says: 'src/protocol may import src/core, src/zk, src/mpc, src/crypto and src/errors.ts,' },
  { file: 'src/store/sideways.ts', source: "import '../protocol/p.js'\n", specifier: '../protocol/p.js', says: 'src/store may import src/core, src/zk, src/mpc, src/crypto and src/errors.ts,' },
  { file: 'src/mpc/network.ts', source: "import { createLibp2p } from 'libp2p'\nexport const node = createLibp2p\n", specifier: 'libp2p', says: 'Only src/protocol, src/daemon and src/cli may import libp2p packages.' },
  { file: 'src/zk/peer.ts', source: "import type { PeerId } from '@libp2p/interface'\nexport type P = PeerId\n", specifier: '@libp2p/interface', says: 'Only src/protocol, src/daemon and src/cli may import libp2p packages.' },
  { file: 'src/core/storage.ts', source: "import { Level } from 'level'\nexport const db = Level\n", specifier: 'level', says: 'Only src/store, src/daemon and src/cli may import LevelDB packages.' },
  { file: 'src/protocol/storage.ts', source: "import 'level'\n", specifier: 'level', says: 'Only src/store, src/daemon and src/cli may import LevelDB packages.' },
  { file: 'src/store/network.ts', source: "import '@chainsafe/libp2p-noise'\n", specifier: '@chainsafe/libp2p-noise', says: 'Only src/protocol, src/daemon and src/cli may import libp2p packages.' },
  { file: 'src/zk/types.ts', source: "import type { Operator } from '../core/operator.js'\nexport type O = Operator\n", specifier: '../core/operator.js', says: 'src/zk may import src/mpc, src/crypto and src/errors.ts,' },
  { file: 'src/mpc/garbled/deep.ts', source: "import '../../zk/z.js'\n", specifier: '../../zk/z.js', says: 'src/mpc may import src/crypto and src/errors.ts,' },
  { file: 'src/core/reexport.ts', source: "export * from '../daemon/y.js'\n", specifier: '../daemon/y.js', says: 'src/core may import src/zk, src/mpc, src/crypto and src/errors.ts,' },
  { file: 'src/crypto/lazy.ts', source: "export const load = () => import('../mpc/m.js')\n", specifier: '../mpc/m.js', says: 'src/crypto may import src/errors.ts,' },
  { file: 'src/cli/dev-code.ts', source: "import '../../scripts/lib/local-cluster.js'\n", specifier: '../../scripts/lib/local-cluster.js', says: 'src/cli may import src/daemon,' },
  { file: 'src/errors.ts', source: "import './crypto/x.js'\nexport class MaciAnonError extends Error {}\n", specifier: './crypto/x.js', says: 'src/errors.ts is the error base every layer imports, so it imports nothing from src/' },
]

/** Imports the layering allows: none of them may be reported. */
const ALLOWED: Record<string, string> = {
  'src/zk/ok.ts': "import '../mpc/m.js'\nimport '../crypto/x.js'\nimport '../errors.js'\nimport './z.js'\n",
  'src/mpc/garbled/ok.ts': "import '../field.js'\nimport '../../crypto/x.js'\nimport '../../errors.js'\n",
  'src/core/ok.ts': "import '../zk/z.js'\nimport '../mpc/m.js'\nimport 'node:crypto'\nimport '@noble/hashes/sha2.js'\n",
  'src/protocol/ok.ts': "import '../core/c.js'\nimport 'libp2p'\nimport '@libp2p/interface'\nimport '@multiformats/multiaddr'\n",
  'src/store/ok.ts': "import '../core/c.js'\nimport 'level'\n",
  'src/daemon/ok.ts': "import '../protocol/p.js'\nimport '../store/s.js'\nimport 'level'\nimport '@chainsafe/libp2p-yamux'\nexport const lazy = () => import('../protocol/p.js')\n",
  'src/cli/ok.ts': "import '../daemon/y.js'\nimport '../store/s.js'\nimport '../crypto/x.js'\nimport 'level'\nimport 'libp2p'\n",
}

/** Every file under `dir`, relative to `root`. */
async function walk(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? walk(root, join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]))),
  )
  return nested.flat()
}

describe('eslint.config.js enforces the layering of src/', () => {
  let root: string
  let results: Map<string, ESLint.LintResult>

  beforeAll(async () => {
    // Real path: ESLint reports real paths, and tmpdir() may be behind a symlink (macOS).
    root = await realpath(await mkdtemp(join(tmpdir(), 'maci-anon-layering-')))
    await copyFile(join(REPO_ROOT, 'eslint.config.js'), join(root, 'eslint.config.js'))
    // The config imports @eslint/js and typescript-eslint: resolve them from the repository.
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir')
    const files = { ...ALLOWED, ...Object.fromEntries(FORBIDDEN.map(({ file, source }) => [file, source])) }
    for (const [file, source] of Object.entries(files)) {
      await mkdir(dirname(join(root, file)), { recursive: true })
      await writeFile(join(root, file), source)
    }
    const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') })
    const linted = await eslint.lintFiles(['src'])
    results = new Map(linted.map((result) => [relative(root, result.filePath), result]))
    expect([...results.keys()].sort()).toEqual(Object.keys(files).sort())
  })

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true })
  })

  const layeringMessages = (file: string) => (results.get(file)?.messages ?? []).filter((message) => LAYERING_RULES.has(message.ruleId ?? ''))

  it.each(FORBIDDEN.map((planted) => [planted.file, planted] as const))('reports the planted import in %s', (file, planted) => {
    const messages = layeringMessages(file)
    expect(messages).toHaveLength(1)
    expect(messages[0].severity).toBe(2)
    expect(messages[0].message).toContain(planted.says)
    if (messages[0].ruleId === 'no-restricted-imports') expect(messages[0].message).toContain(`'${planted.specifier}'`)
    expect(messages[0].line).toBe(planted.source.split('\n').findIndex((line) => line.includes(`'${planted.specifier}'`)) + 1)
  })

  it('names the whole layering in each layer message', () => {
    const message = layeringMessages('src/crypto/upward.ts')[0].message
    expect(message).toContain('errors.ts <- crypto <- mpc <- zk <- core <- {protocol, store} <- daemon <- cli')
  })

  it('checks import() of a literal as well as import and export ... from', () => {
    expect(layeringMessages('src/crypto/lazy.ts')[0].ruleId).toBe('no-restricted-syntax')
    expect(layeringMessages('src/core/reexport.ts')[0].ruleId).toBe('no-restricted-imports')
  })

  it.each(Object.keys(ALLOWED))('allows the imports in %s', (file) => {
    expect(layeringMessages(file)).toEqual([])
  })
})

describe('the layering covers the real src/', () => {
  it('gives every module of src/ a layer rule', async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT })
    const modules = (await walk(REPO_ROOT, 'src')).filter(
      (file) => /\.(ts|js)$/.test(file) && !file.startsWith(join('src', 'protocol', 'generated')) && !(dirname(file) === 'src' && file.endsWith('.d.ts')),
    )
    expect(modules.length).toBeGreaterThan(50)
    const unchecked: string[] = []
    for (const file of modules) {
      const config = (await eslint.calculateConfigForFile(join(REPO_ROOT, file))) as { rules?: Record<string, unknown> }
      if (!config.rules?.['no-restricted-imports']) unchecked.push(file)
    }
    expect(unchecked).toEqual([])
  })
})
