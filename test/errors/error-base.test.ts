/**
 * Issue 10, one error base: every error class in src is a MaciAnonError, so callers tell
 * errors apart with `instanceof` and `code`, and only an exposable error's detail reaches a
 * peer. The classes are found by scanning src, so a new `class FooError extends Error`
 * fails here without anyone listing it.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { KeystoreError } from '../../src/crypto/keystore.js'
import { MaciAnonError } from '../../src/errors.js'
import { ChannelError } from '../../src/mpc/channel.js'
import { errorCodeOf, ProtocolError, publicMessageOf, RemoteAbortError } from '../../src/protocol/errors.js'

const SRC = join(import.meta.dirname, '../../src')
const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/
/** The classes a JavaScript runtime gives: an error class of ours must not extend one of them directly. */
const BUILT_IN_ERRORS = new Set(['Error', 'RangeError', 'TypeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'])

interface Declared {
  file: string
  name: string
  base: string
  exported: boolean
}

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true })
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name))
}

/** Every `class X extends Y` in src, exported or not. */
async function declaredClasses(): Promise<Declared[]> {
  const declared: Declared[] = []
  for (const file of await sourceFiles(SRC)) {
    const text = await readFile(file, 'utf8')
    for (const match of text.matchAll(/^(export\s+)?(?:abstract\s+)?class\s+(\w+)(?:<[^>]*>)?\s+extends\s+([\w.]+)/gm)) {
      declared.push({ file, name: match[2], base: match[3], exported: match[1] !== undefined })
    }
  }
  return declared
}

/** The constructor's parameter names, read from the class (or the nearest ancestor that declares one). */
function parameterNames(kind: abstract new (...args: never[]) => unknown): string[] {
  for (let current: unknown = kind; typeof current === 'function' && current !== Error; current = Object.getPrototypeOf(current)) {
    const match = /constructor\s*\(([^)]*)\)/.exec(Function.prototype.toString.call(current))
    if (match !== null) return match[1].split(',').map((parameter) => parameter.trim().split(/[\s=]/)[0]).filter((name) => name !== '')
  }
  return []
}

/** An instance built from placeholder arguments: a code where the constructor takes one, an Error for a cause. */
function construct(kind: new (...args: unknown[]) => unknown): unknown {
  const args = parameterNames(kind).map((name) => {
    if (/code$/i.test(name)) return 'SAMPLE_CODE'
    if (name === 'cause') return new Error('the cause')
    if (name === 'options') return {}
    return 'sample'
  })
  return new kind(...args)
}

describe('one error base', () => {
  it('every error class in src extends MaciAnonError and has a SCREAMING_SNAKE code', async () => {
    const declared = await declaredClasses()
    expect(declared.length).toBeGreaterThan(20)
    const problems: string[] = []
    const errorClasses = new Set(['MaciAnonError'])
    for (const { file, name, base, exported } of declared) {
      const where = `${relative(SRC, file)}: ${name}`
      const module = exported ? ((await import(pathToFileURL(file).href)) as Record<string, unknown>) : {}
      const kind = module[name] as (new (...args: unknown[]) => unknown) | undefined
      // The base itself, the one class that extends Error.
      if (kind === MaciAnonError) continue
      if (BUILT_IN_ERRORS.has(base)) problems.push(`${where} extends ${base}, not MaciAnonError`)
      if (kind === undefined || !(kind.prototype instanceof Error)) continue
      errorClasses.add(name)
      if (!(kind.prototype instanceof MaciAnonError)) {
        problems.push(`${where} is an Error but not a MaciAnonError`)
        continue
      }
      const error = construct(kind) as MaciAnonError
      if (typeof error.code !== 'string' || !SCREAMING_SNAKE.test(error.code)) problems.push(`${where} has code ${JSON.stringify(error.code)}`)
      if (typeof error.exposable !== 'boolean') problems.push(`${where} does not say whether it is exposable`)
    }
    // A class the import cannot reach (not exported) is an error class through its base.
    for (const { file, name, base, exported } of declared) {
      if (!exported && !BUILT_IN_ERRORS.has(base) && !errorClasses.has(base) && /Error$/.test(name)) {
        problems.push(`${relative(SRC, file)}: ${name} extends ${base}, which is not a known MaciAnonError`)
      }
    }
    expect(problems).toEqual([])
  })

  it('keeps each class its own name', async () => {
    expect(new KeystoreError('x').name).toBe('KeystoreError')
    expect(new ProtocolError('REFUSED', 'x').name).toBe('ProtocolError')
    expect(new RemoteAbortError('REFUSED', 'x').name).toBe('RemoteAbortError')
    const { LostDeactivationError } = await import('../../src/daemon/voter-client.js')
    const lost = new LostDeactivationError(3, 'missing', 'leaf 3 is gone')
    expect(lost).toMatchObject({ name: 'LostDeactivationError', code: 'LOST_DEACTIVATION', message: 'leaf 3 is gone' })
  })
})

describe('what a peer is told', () => {
  it('never shows it the detail of a non-exposable error', () => {
    const local = new KeystoreError('cannot read /home/voter/.maci-anon/keystore.json: permission denied')
    expect(local.exposable).toBe(false)
    expect(errorCodeOf(local)).toBe('INTERNAL')
    expect(publicMessageOf(local)).toBe('internal error')
    // Not exposable, even with a code the wire knows.
    const quiet = new MaciAnonError('MALFORMED', 'the store holds a record that does not parse at key 0x17')
    expect([errorCodeOf(quiet), publicMessageOf(quiet)]).toEqual(['INTERNAL', 'internal error'])
    // Neither is an error from outside the base, whatever it carries.
    const foreign = Object.assign(new Error('secret detail'), { code: 'REFUSED' })
    expect([errorCodeOf(foreign), publicMessageOf(foreign)]).toEqual(['INTERNAL', 'internal error'])
    // Exposable, but its code is of a rule above the wire: the service that runs the rule
    // chooses its wire code (by throwing a ProtocolError); on its own it is INTERNAL.
    const domain = new MaciAnonError('UNKNOWN_KEY', 'the key is not signed up', { exposable: true, codeInMessage: true })
    expect([errorCodeOf(domain), publicMessageOf(domain)]).toEqual(['INTERNAL', 'internal error'])
  })

  it('shows it the code and the detail of an exposable one, without the CODE: prefix of its message', () => {
    const refused = new ProtocolError('REFUSED', 'public key is already signed up')
    expect(refused.message).toBe('REFUSED: public key is already signed up')
    expect([errorCodeOf(refused), publicMessageOf(refused)]).toEqual(['REFUSED', 'public key is already signed up'])
    // A detail that itself starts with a code keeps it: nothing is stripped.
    const nested = new ProtocolError('REFUSED', 'UNKNOWN_KEY: the key is not signed up')
    expect(publicMessageOf(nested)).toBe('UNKNOWN_KEY: the key is not signed up')
    const channel = new ChannelError('MALFORMED', 'hello: bad proof')
    expect([errorCodeOf(channel), publicMessageOf(channel)]).toEqual(['MALFORMED', 'hello: bad proof'])
    // The peer's own abort is described by the peer's code and reason.
    const remote = new RemoteAbortError('UNAVAILABLE', 'busy, retry in 3 s')
    expect([errorCodeOf(remote), publicMessageOf(remote)]).toEqual(['UNAVAILABLE', 'busy, retry in 3 s'])
  })
})
