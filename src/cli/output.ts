/**
 * Command results go to stdout, as aligned text or, with --json, as one JSON document
 * (bigints as decimal strings). Progress and logs go to stderr, so stdout stays parseable.
 */
export type Printable = Record<string, unknown>

export function printResult(json: boolean, result: Printable, text: string): void {
  process.stdout.write(json ? `${toJson(result)}\n` : `${text}\n`)
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)
}

/** `label: value` lines with the values aligned. */
export function table(rows: Array<[string, unknown]>): string {
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${String(value)}`).join('\n')
}
