/**
 * The README's numbers are the code's (issue 14, "true docs"): each default in the
 * configuration table is the value CONFIG_KEYS gives, role by role, and each limit, timeout
 * and session cap in the "Protocols" table is the value in LIMITS. The tables are parsed by
 * their column headers, so rows and columns may be added; a number in a checked column that
 * the parser cannot tie to a value fails the test rather than going unchecked.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, type Role } from '../../src/daemon/config.js'
import { MESSAGE_CIPHERTEXT_BYTES } from '../../src/core/messages.js'
import { dataHome } from '../../src/daemon/paths.js'
import { LIMITS, PROTOCOLS, type ProtocolLimits, type ProtocolName } from '../../src/protocol/ids.js'

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')

/** The rows of the first Markdown table after `heading`, as header -> cell maps. */
function tableAfter(heading: string): Record<string, string>[] {
  const start = readme.indexOf(`\n${heading}\n`)
  if (start < 0) throw new Error(`README has no heading "${heading}"`)
  const lines = readme.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const table: string[] = []
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break
    table.push(line)
  }
  const cells = (line: string) => line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim())
  const headers = cells(table[0])
  return table.slice(2).map((line) => Object.fromEntries(cells(line).map((cell, i) => [headers[i], cell])))
}

const ROLES: Role[] = ['operator', 'replica', 'voter']

/** A default as the README writes it: a list comma-separated, nothing as "none". */
function written(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none'
  return Array.isArray(value) ? value.join(',') : String(value)
}

/** What the default cell says for each role. */
function documentedDefaults(cell: string): Record<Role, string> {
  const literal = (text: string) => (/^(none|off)$/.test(text.trim()) ? 'none' : /^`([^`]*)`$/.exec(text.trim())?.[1])
  const perRole = [...cell.matchAll(/(operator|replica|voter) (`[^`]*`|none|off)/g)]
  if (perRole.length > 0) {
    const roles = Object.fromEntries(perRole.map(([, role, value]) => [role, literal(value)])) as Record<Role, string>
    expect(Object.keys(roles).sort(), cell).toEqual([...ROLES].sort())
    return roles
  }
  const value = literal(cell)
  if (value === undefined) throw new Error(`cannot read the default "${cell}"`)
  return Object.fromEntries(ROLES.map((role) => [role, value.replace('$XDG_DATA_HOME', dataHome()).replace('<role>', role)])) as Record<Role, string>
}

describe('README configuration table', () => {
  const rows = tableAfter('### Configuration')

  it('lists every key once, with its environment variable', () => {
    const keys = rows.map((row) => /^`(\w+)`$/.exec(row.key)?.[1])
    expect(keys.sort()).toEqual(Object.keys(CONFIG_KEYS).sort())
    for (const row of rows) expect(row.env).toBe(`\`${CONFIG_KEYS[/^`(\w+)`$/.exec(row.key)![1] as keyof typeof CONFIG_KEYS].env}\``)
  })

  it("gives each key's default value, role by role", () => {
    for (const row of rows) {
      const key = /^`(\w+)`$/.exec(row.key)![1] as keyof typeof CONFIG_KEYS
      const documented = documentedDefaults(row.default)
      for (const role of ROLES) expect(documented[role], `${key} for the ${role}`).toBe(written(CONFIG_KEYS[key].defaultFor(role)))
    }
  })
})

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024 }
const bytes = (count: string, unit: string) => Number(count) * UNITS[unit]

/**
 * Each phrase a checked column may hold, with the limit it states. A phrase not listed fails
 * the test, so every number in those columns is tied to the code.
 */
const PHRASES: { column: RegExp; phrase: RegExp; value: (m: RegExpMatchArray, limits: ProtocolLimits) => [number, number] }[] = [
  // request limit: "256 B", "1 MiB frames", "16 KiB frame", "317 B ciphertext", "(responses ≤ 1 MiB)"
  { column: /limit/, phrase: /\(responses ≤ (\d+) (B|KiB|MiB)\)/g, value: (m, l) => [bytes(m[1], m[2]), l.maxResponseBytes] },
  { column: /limit/, phrase: /(\d+) (B|KiB|MiB) ciphertext/g, value: (m) => [bytes(m[1], m[2]), MESSAGE_CIPHERTEXT_BYTES] },
  { column: /limit/, phrase: /(\d+) (B|KiB|MiB)(?: frames?)?(?! ciphertext)(?!\))/g, value: (m, l) => [bytes(m[1], m[2]), l.maxRequestBytes] },
  // deadlines: "10 s per step; 5 s for the request and 15 s for the whole session" (hello, first query)
  { column: /timeout|deadline/, phrase: /(\d+) s for the (?:hello|request|first query|first message)/g, value: (m, l) => [Number(m[1]) * 1000, l.firstMessageDeadlineMs] },
  { column: /timeout|deadline/, phrase: /(\d+) s for the whole session/g, value: (m, l) => [Number(m[1]) * 1000, l.sessionDeadlineMs] },
  { column: /timeout|deadline/, phrase: /(\d+) s(?! for)/g, value: (m, l) => [Number(m[1]) * 1000, l.stepTimeoutMs] },
  // sessions: "64", "4 per node, 1 per peer ID, 2 per address"
  { column: /sessions/, phrase: /(\d+) per peer(?: ID)?/g, value: (m, l) => [Number(m[1]), l.maxSessionsPerPeer] },
  { column: /sessions/, phrase: /(\d+) per (?:IP )?address/g, value: (m, l) => [Number(m[1]), l.maxSessionsPerAddress] },
  { column: /sessions/, phrase: /^(\d+)$|(\d+) per node/g, value: (m, l) => [Number(m[1] ?? m[2]), l.maxSessions] },
]

describe('README Protocols table', () => {
  const rows = tableAfter('### Protocols')
  const protocolOf = (row: Record<string, string>) => {
    const id = /`([^`]+)`/.exec(row.protocol)?.[1]
    const name = (Object.keys(PROTOCOLS) as ProtocolName[]).find((candidate) => PROTOCOLS[candidate] === id)
    if (name === undefined) throw new Error(`unknown protocol ${row.protocol}`)
    return name
  }

  it('has one row per protocol', () => {
    expect(rows.map(protocolOf).sort()).toEqual(Object.keys(PROTOCOLS).sort())
  })

  it('states each limit, timeout and session cap as LIMITS has it', () => {
    let checked = 0
    for (const row of rows) {
      const name = protocolOf(row)
      for (const [header, cell] of Object.entries(row)) {
        const rules = PHRASES.filter((rule) => rule.column.test(header))
        if (rules.length === 0) continue
        // Each number is claimed by the first phrase that matches it.
        const claimed = new Set<number>()
        for (const rule of rules) {
          for (const match of cell.matchAll(rule.phrase)) {
            const at = match.index + match[0].search(/\d/)
            if (claimed.has(at)) continue
            claimed.add(at)
            const [stated, actual] = rule.value(match, LIMITS[name])
            expect(stated, `${name}, ${header}: "${match[0]}"`).toBe(actual)
            checked++
          }
        }
        const unclaimed = [...cell.matchAll(/\d+/g)].filter((match) => !claimed.has(match.index)).map((match) => match[0])
        expect(unclaimed, `${name}, ${header}: numbers no rule ties to the code in "${cell}"`).toEqual([])
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * rows.length)
  })
})
