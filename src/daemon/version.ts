/** The package version, reported by the status protocol and `--version`. */
import { readFileSync } from 'node:fs'

// Read, not imported as JSON: package.json is outside src/, which tsc compiles to dist/
// (tsconfig.build.json); both are one level below it, so the same path works from either.
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export const VERSION: string = manifest.version
