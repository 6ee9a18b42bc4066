/**
 * Wiring between commander and the config table: each command declares which config keys
 * it takes as flags, and gets back a resolved Config (flags > env > file > defaults).
 */
import { Command, Option } from 'commander'
import { CONFIG_KEYS, kebab, loadConfigFile, resolveConfig, type Config, type Role } from '../daemon/config.js'

export interface GlobalOptions {
  config?: string
  json?: boolean
}

/** The settings of every long-running node, operator and replica alike. */
export const NODE_KEYS: Array<keyof Config> = [
  'dataDir',
  'listen',
  'announce',
  'bootstrap',
  'mdns',
  'maxConnections',
  'metricsPort',
  'metricsHost',
  'shutdownGraceMs',
  'logLevel',
  'logFormat',
]

/**
 * Adds the flags of `keys` to a role's subcommand (`operator init`, `voter status`, ...),
 * each described with its environment variable and the role's default. The default is only
 * shown, never set as commander's default (nor is the variable read by commander's
 * `Option.env()`): an option value set by commander would rank above the --config file and
 * break the order flags > env > file > defaults that resolveConfig applies.
 */
export function withConfigFlags(command: Command, keys: Array<keyof Config>): Command {
  const role = command.parent?.name()
  if (role !== 'operator' && role !== 'replica' && role !== 'voter') throw new Error(`config flags belong to a role's subcommand, not to "${command.name()}"`)
  for (const key of keys) {
    const spec = CONFIG_KEYS[key]
    const shown = helpDefault(spec.defaultFor(role))
    const description = `${spec.description} (env ${spec.env}${shown === undefined ? '' : `; default ${shown}`})`
    if (key === 'mdns') {
      command.addOption(new Option('--mdns', `enable ${description}`))
      command.addOption(new Option('--no-mdns', 'disable mDNS discovery'))
    } else {
      command.addOption(new Option(`--${kebab(key)} <value>`, description))
    }
  }
  return command
}

/** The command's config: its flags, the environment, and the --config file if given. */
export async function commandConfig(role: Role, command: Command): Promise<Config> {
  const options = command.optsWithGlobals<Record<string, unknown> & GlobalOptions>()
  const configPath = options.config ?? process.env.MACI_ANON_CONFIG
  const file = configPath === undefined ? undefined : await loadConfigFile(configPath)
  const flags: Partial<Record<keyof Config, unknown>> = {}
  for (const key of Object.keys(CONFIG_KEYS) as Array<keyof Config>) {
    if (options[key] !== undefined) flags[key] = options[key]
  }
  return resolveConfig(role, { flags, env: process.env, file })
}

export function isJson(command: Command): boolean {
  return command.optsWithGlobals<GlobalOptions>().json === true
}

/** A default as --help shows it; none for an unset or empty one. */
function helpDefault(value: unknown): string | undefined {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return undefined
  return Array.isArray(value) ? value.join(',') : String(value)
}
