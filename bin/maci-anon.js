#!/usr/bin/env node
// Launcher of the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs as the
// prepare script). Plain JavaScript that any Node can parse, so that an old Node gets a
// sentence instead of a crash deep in libp2p (Promise.withResolvers).
import { existsSync } from 'node:fs'
import process from 'node:process'
import { fileURLToPath, URL } from 'node:url'

const REQUIRED_MAJOR = 22

if (Number(process.versions.node.split('.')[0]) < REQUIRED_MAJOR) {
  process.stderr.write(
    `maci-anon needs Node.js ${REQUIRED_MAJOR} or newer; this is Node.js ${process.versions.node}.\n` +
      `In the project directory, \`npx maci-anon …\` or \`npm run maci-anon -- …\` runs it on the Node ${REQUIRED_MAJOR} that \`npm ci\` installs.\n`,
  )
  process.exit(1)
}

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  process.stderr.write(`maci-anon is not built: run \`npm run build\` (or \`npm ci\`, which builds it) in ${root}\n`)
  process.exit(1)
}
await import(main.href)
