import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { artifactsOf, BUILD_DIR, type CircuitName } from '../../src/zk/artifacts.js'
import { circuitSourcesHash, fileSha256 } from '../../src/zk/circuit-sources.js'

interface Manifest {
  sourcesHash: string
  circuits: Record<CircuitName, { constraints: number; sha256: Record<string, string> }>
}

const manifest = JSON.parse(readFileSync(`${BUILD_DIR}manifest.json`, 'utf8')) as Manifest

describe('committed circuit artifacts', () => {
  it('were generated from the current circuit sources (else run npm run build:circuits)', () => {
    expect(circuitSourcesHash()).toBe(manifest.sourcesHash)
  })

  it.each(['membership', 'leaf_opening', 'combined'] as const)('%s: every file matches the manifest', (name) => {
    const files = artifactsOf(name)
    for (const [kind, path] of Object.entries(files)) {
      expect(fileSha256(path), `${name}.${kind}`).toBe(manifest.circuits[name].sha256[kind])
    }
  })

  it('keeps the leaf-opening circuit under the 1024-point domain', () => {
    const vkey = JSON.parse(readFileSync(artifactsOf('leaf_opening').vkey, 'utf8')) as { nPublic: number }
    expect(manifest.circuits.leaf_opening.constraints + vkey.nPublic + 1).toBeLessThan(1024)
  })
})
