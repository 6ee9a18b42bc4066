/**
 * --help names each flag's environment variable and the role's default, while the value
 * chain stays flags > env > file > defaults: commander is given no default and no env, so a
 * --config file still overrides a default that --help shows.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { buildProgram } from '../../src/cli/main.js'
import { commandConfig } from '../../src/cli/options.js'
import { CONFIG_KEYS } from '../../src/daemon/config.js'

function subcommand(path: string[]): Command {
  let command = buildProgram()
  for (const name of path) {
    const next = command.commands.find((candidate) => candidate.name() === name)
    if (next === undefined) throw new Error(`no command ${path.join(' ')}`)
    command = next
  }
  return command
}

const flat = (text: string) => text.replace(/\s+/g, ' ')

describe('--help', () => {
  it("shows each flag's variable and its role's default", () => {
    const operator = flat(subcommand(['operator', 'start']).helpInformation())
    expect(operator).toContain(`(env MACI_ANON_LISTEN; default ${CONFIG_KEYS.listen.defaultFor('operator').join(',')})`)
    expect(operator).toContain('(env MACI_ANON_LOG_LEVEL; default info)')
    // No default to show: the variable alone.
    expect(operator).toContain('(env MACI_ANON_METRICS_PORT)')
    const replica = flat(subcommand(['replica', 'start']).helpInformation())
    expect(replica).toContain(`default ${CONFIG_KEYS.listen.defaultFor('replica').join(',')}`)
    expect(replica).not.toContain(CONFIG_KEYS.listen.defaultFor('operator').join(','))
  })

  it('leaves the default to resolveConfig, so a config file still beats it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maci-anon-help-'))
    try {
      const file = join(root, 'config.yaml')
      await writeFile(file, 'logLevel: debug\n')
      const program = buildProgram()
      const start = program.commands.find((c) => c.name() === 'operator')?.commands.find((c) => c.name() === 'start')
      if (start === undefined) throw new Error('no operator start')
      start.action(() => undefined)
      await program.parseAsync(['node', 'maci-anon', '--config', file, 'operator', 'start'])
      expect(start.opts().logLevel).toBeUndefined()
      const previous = process.env.MACI_ANON_LOG_LEVEL
      delete process.env.MACI_ANON_LOG_LEVEL
      try {
        expect((await commandConfig('operator', start)).logLevel).toBe('debug')
      } finally {
        if (previous !== undefined) process.env.MACI_ANON_LOG_LEVEL = previous
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
