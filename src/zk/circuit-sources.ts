/**
 * A fingerprint of everything that determines the compiled circuits: every .circom file
 * under circuits/, and the versions of circom2 and circomlib. `npm run build:circuits`
 * records it in circuits/build/manifest.json; a test recomputes it, so editing a circuit
 * without regenerating the committed artifacts fails the suite.
 */
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CIRCUITS_DIR } from './artifacts.js'

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url))

function circomFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === 'build' ? [] : circomFiles(path)
    return entry.name.endsWith('.circom') ? [path] : []
  })
}

export function toolVersions(): { circom2: string; circomlib: string } {
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(NODE_MODULES, name, 'package.json'), 'utf8')) as { version: string }).version
  return { circom2: version('circom2'), circomlib: version('circomlib') }
}

export function circuitSourcesHash(): string {
  const hash = createHash('sha256')
  const versions = toolVersions()
  hash.update(`circom2@${versions.circom2}\ncircomlib@${versions.circomlib}\n`)
  for (const path of circomFiles(CIRCUITS_DIR).sort()) {
    const name = relative(CIRCUITS_DIR, path)
    const contents = readFileSync(path)
    hash.update(`${name}\n${contents.length}\n`).update(contents)
  }
  return hash.digest('hex')
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}
