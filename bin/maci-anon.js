#!/usr/bin/env node
// Launcher for the TypeScript CLI: runs src/cli/main.ts on tsx with the same Node binary,
// forwarding arguments, stdio, signals and the exit status.
import { spawn } from 'node:child_process'
import process from 'node:process'
import { fileURLToPath, URL } from 'node:url'

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
// Resolved from this file, not the working directory, so the command works from anywhere.
const tsx = import.meta.resolve('tsx')
const child = spawn(process.execPath, ['--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
})
const forward = (signal) => child.kill(signal)
process.on('SIGINT', forward)
process.on('SIGTERM', forward)
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code ?? 1)
  // Die of the same signal, so our parent sees what the CLI saw.
  process.off('SIGINT', forward)
  process.off('SIGTERM', forward)
  process.kill(process.pid, signal)
})
