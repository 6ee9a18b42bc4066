/** The network reference names every command, configuration key, protocol and metric. */
import { readFile } from 'node:fs/promises'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../scripts/lib/local-cluster.js'
import { operatorCommands } from '../../src/cli/operator-commands.js'
import { replicaCommands } from '../../src/cli/replica-commands.js'
import { voterCommands } from '../../src/cli/voter-commands.js'
import { auditCommand } from '../../src/cli/audit-command.js'
import { CONFIG_KEYS } from '../../src/daemon/config.js'
import { Metrics } from '../../src/daemon/metrics.js'
import { PROTOCOLS } from '../../src/protocol/ids.js'

const reference = await readFile(`${REPO_ROOT}README.md`, 'utf8')

/** `group command` for the role groups, the name alone for a top-level command such as audit. */
function commandPaths(program: Command): string[] {
  return program.commands.flatMap((group) =>
    group.commands.length === 0 ? [group.name()] : group.commands.map((command) => `${group.name()} ${command.name()}`),
  )
}

describe('README.md', () => {
  it('documents every command', () => {
    const program = new Command()
    operatorCommands(program)
    replicaCommands(program)
    voterCommands(program)
    auditCommand(program)
    const paths = commandPaths(program)
    expect(paths.length).toBe(16)
    for (const path of paths) expect(reference).toContain(`\`${path}`)
  })

  it('documents every configuration key and its environment variable', () => {
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      expect(reference).toContain(`\`${key}\``)
      expect(reference).toContain(`\`${spec.env}\``)
    }
  })

  it('documents every protocol and metric', async () => {
    for (const id of Object.values(PROTOCOLS)) expect(reference).toContain(`\`${id}\``)
    const metrics = new Metrics('docs')
    const ours = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name).filter((name) => !/process|nodejs/.test(name))
    expect(ours.length).toBeGreaterThan(5)
    for (const name of ours) expect(reference).toContain(`\`${name}\``)
  })
})
