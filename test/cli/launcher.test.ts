/**
 * The CLI's start-up: `--version` and `--help` load neither libp2p nor snarkjs (the commands'
 * modules are imported when a command runs), and the launcher bin/maci-anon.js names the
 * Node version it needs, refuses to run without a build, and otherwise runs dist/.
 */
import { execFile, execFileSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../scripts/lib/local-cluster.js'

const execFileAsync = promisify(execFile)
const LAUNCHER = `${REPO_ROOT}bin/maci-anon.js`

/** Logs every module the process resolves, one `LOAD <url>` line each on stderr (node:module registerHooks). */
const TRACE_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { registerHooks } from 'node:module'\n" +
    'registerHooks({ resolve(specifier, context, next) { const resolved = next(specifier, context); process.stderr.write(`LOAD ${resolved.url}\\n`); return resolved } })',
)}`

async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: REPO_ROOT, env })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

/** The packages under node_modules that `maci-anon ARGS` (the sources, on tsx) loads. */
async function loadedPackages(args: string[]): Promise<Set<string>> {
  const { stderr } = await run(process.execPath, ['--import', 'tsx', '--import', TRACE_HOOK, `${REPO_ROOT}src/cli/main.ts`, ...args])
  return new Set([...stderr.matchAll(/^LOAD .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((match) => match[1]))
}

const HEAVY = /^(libp2p|@libp2p\/|@chainsafe\/|snarkjs$|ffjavascript$|level$|classic-level$)/

describe('lazy commands', () => {
  it.each(['--version', '--help', 'voter --help', 'operator start --help', 'audit --help'])('maci-anon %s loads neither libp2p nor snarkjs', async (line) => {
    const loaded = await loadedPackages(line.split(' '))
    expect(loaded.has('commander')).toBe(true)
    expect([...loaded].filter((name) => HEAVY.test(name))).toEqual([])
  })

  it('a command that runs loads its module (the trace does see libp2p when it is loaded)', async () => {
    const loaded = await loadedPackages(['audit', join(tmpdir(), 'maci-anon-no-such-export')])
    expect(loaded.has('libp2p')).toBe(true)
  })
})

describe('bin/maci-anon.js', () => {
  let directory: string

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'maci-anon-launcher-'))
    await mkdir(join(directory, 'bin'))
    await copyFile(LAUNCHER, join(directory, 'bin', 'maci-anon.js'))
  })
  afterAll(() => rm(directory, { recursive: true, force: true }))

  it('refuses to run without a build, saying how to make one', async () => {
    const result = await run(process.execPath, [join(directory, 'bin', 'maci-anon.js'), '--version'])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`maci-anon is not built: run \`npm run build\` (or \`npm ci\`, which builds it) in ${directory}/\n`)
  })

  it('imports dist/cli/main.js, which sees the arguments', async () => {
    await mkdir(join(directory, 'dist', 'cli'), { recursive: true })
    await writeFile(join(directory, 'dist', 'cli', 'main.js'), 'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2) }))\n')
    const result = await run(process.execPath, [join(directory, 'bin', 'maci-anon.js'), 'voter', 'status', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).argv).toEqual(['voter', 'status', '--json'])
  })

  // The machine's own Node (20 here), found on PATH behind node_modules/.bin's Node 22.
  const oldNode = (process.env.PATH ?? '')
    .split(delimiter)
    .map((entry) => join(entry, 'node'))
    .find((candidate) => {
      try {
        return Number(/^v(\d+)/.exec(execFileSync(candidate, ['--version'], { encoding: 'utf8' }))?.[1]) < 22
      } catch {
        return false
      }
    })

  it.skipIf(oldNode === undefined)('on Node before 22, names the version it needs and the npx / npm run way', async () => {
    const result = await run(oldNode as string, [LAUNCHER, '--version'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^maci-anon needs Node\.js 22 or newer; this is Node\.js 2\d\.\d+\.\d+\.\n/)
    expect(result.stderr).toContain('`npx maci-anon …` or `npm run maci-anon -- …`')
    expect(result.stderr.trim().split('\n')).toHaveLength(2)
  })
})
