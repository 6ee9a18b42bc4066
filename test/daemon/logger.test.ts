/**
 * The logger in both formats, as a daemon's stderr shows it: JSON lines for collectors,
 * and pretty lines for a terminal. Either way secret-named fields are redacted.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const FIXTURE = new URL('./fixtures/log-lines.ts', import.meta.url).pathname

async function stderrOf(format: string): Promise<string> {
  const { stderr, stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, format])
  expect(stdout).toBe('')
  return stderr
}

describe('logger', () => {
  it('json: one parseable line, secrets redacted', async () => {
    const lines = (await stderrOf('json')).trim().split('\n')
    expect(lines).toHaveLength(1)
    const entry = JSON.parse(lines[0]) as Record<string, unknown>
    expect(entry).toMatchObject({ name: 'operator', msg: 'listening', peer: 'peer-1', privateKey: '[redacted]', nested: { rho: '[redacted]' } })
  })

  it('pretty: a readable line with level, name and message, secrets redacted, no JSON', async () => {
    const text = await stderrOf('pretty')
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(operator\): listening$/m)
    expect(text).toContain('peer: "peer-1"')
    expect(text).toContain('privateKey: "[redacted]"')
    expect(text).not.toContain('the-secret-value')
    expect(text).not.toContain('another-secret')
    expect(() => JSON.parse(text.split('\n')[0])).toThrow()
  })
})
