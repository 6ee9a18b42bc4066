/**
 * The hidden passphrase prompt: its line editing on a fake terminal, and the real CLI on a
 * pseudo-terminal (util-linux `script`), where the passphrase typed at the prompt is never
 * echoed and is the one the keystore is sealed with. Off a terminal the CLI asks nothing.
 */
import { execFileSync, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { promptPassphrase, readHidden, type Terminal } from '../../src/cli/passphrase.js'
import { temporaryDirectory } from '../network/helpers.js'

/** A terminal whose keys are typed by the test; what the prompt writes is kept. */
function fakeTerminal(keys: string[]): Terminal & { written: string; rawModes: boolean[] } {
  const input = Object.assign(new EventEmitter(), {
    isTTY: true,
    setRawMode(mode: boolean) {
      terminal.rawModes.push(mode)
      return input
    },
    setEncoding: () => input,
    resume() {
      // Each prompt gets the next key sequence once it listens.
      const next = keys.shift()
      if (next !== undefined) setImmediate(() => input.emit('data', next))
      return input
    },
    pause: () => input,
  })
  const terminal = {
    input: input as unknown as Terminal['input'],
    output: { isTTY: true, write: (text: string) => ((terminal.written += text), true) } as unknown as Terminal['output'],
    written: '',
    rawModes: [] as boolean[],
  }
  return terminal
}

describe('readHidden', () => {
  it('reads up to Enter with echo off, honours backspace, and restores the terminal', async () => {
    const terminal = fakeTerminal(['pass\u007f\u007fss w0rd\rignored'])
    expect(await readHidden('keystore passphrase: ', terminal)).toBe('pass w0rd')
    expect(terminal.written).toBe('keystore passphrase: \n')
    expect(terminal.rawModes).toEqual([true, false])
  })

  it('Ctrl-C and Ctrl-D on an empty line end the prompt with one sentence', async () => {
    await expect(readHidden('p: ', fakeTerminal(['abc\u0003']))).rejects.toThrow('interrupted at the passphrase prompt')
    await expect(readHidden('p: ', fakeTerminal(['\u0004']))).rejects.toThrow('no passphrase given')
  })

  it('a new passphrase is typed twice and must match; none may be empty', async () => {
    expect(await promptPassphrase(true, fakeTerminal(['same\r', 'same\r']))).toBe('same')
    await expect(promptPassphrase(true, fakeTerminal(['one\r', 'other\r']))).rejects.toThrow('the two passphrases differ')
    await expect(promptPassphrase(false, fakeTerminal(['\r']))).rejects.toThrow('the passphrase must not be empty')
  })
})

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/**
 * Runs `maci-anon ARGS` on a pseudo-terminal and types each answer once its prompt shows;
 * the exit code and everything the terminal showed.
 */
function onTerminal(args: string[], answers: Array<[prompt: string, typed: string]>): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, '--import', 'tsx', `${REPO_ROOT}src/cli/main.ts`, ...args].map((word) => `'${word}'`).join(' ')
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MACI_ANON_')))
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
  let screen = ''
  let seen = 0
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk
    // Typed only once the prompt is up: before raw mode the terminal would echo it.
    while (answers.length > 0 && screen.indexOf(answers[0][0], seen) >= 0) {
      const [prompt, typed] = answers.shift() as [string, string]
      seen = screen.indexOf(prompt, seen) + prompt.length
      child.stdin.write(`${typed}\r`)
    }
  })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, screen })))
}

describe.skipIf(!hasScript)('the CLI on a terminal', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>
  const passphrase = 'typed-not-echoed-7'

  beforeAll(async () => {
    directory = await temporaryDirectory()
  })
  afterAll(() => directory.remove())

  it('voter keygen asks twice, echoes nothing, and seals the keystore with what was typed', async () => {
    const { code, screen } = await onTerminal(
      ['voter', 'keygen', '--data-dir', directory.path],
      [
        ['new keystore passphrase: ', passphrase],
        ['repeat the passphrase: ', passphrase],
      ],
    )
    expect(code).toBe(0)
    expect(screen).toContain('publicKey:')
    expect(screen).not.toContain(passphrase)
    const cluster = new LocalCluster()
    const kept = await cluster.runOk(['--json', 'voter', 'keygen', '--if-missing'], { MACI_ANON_DATA_DIR: directory.path, MACI_ANON_PASSPHRASE: passphrase })
    expect(JSON.parse(kept)).toMatchObject({ existing: true })
    const wrong = await cluster.run(['voter', 'keygen', '--if-missing'], { MACI_ANON_DATA_DIR: directory.path, MACI_ANON_PASSPHRASE: 'something else' })
    expect(wrong.code).toBe(1)
  })

  it('asks once for an existing keystore', async () => {
    const { code, screen } = await onTerminal(['voter', 'keygen', '--if-missing', '--data-dir', directory.path], [['keystore passphrase: ', passphrase]])
    expect(code).toBe(0)
    expect(screen).not.toContain('repeat the passphrase')
    expect(screen).toContain('existing:  true')
  })

  it('off a terminal, asks nothing and says what to set', async () => {
    const result = await new LocalCluster().run(['voter', 'status'], { MACI_ANON_DATA_DIR: directory.path })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('error: the keystore passphrase is needed: set MACI_ANON_PASSPHRASE or --passphrase, or run on a terminal to be asked\n')
  })
})
