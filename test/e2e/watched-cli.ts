/**
 * One CLI command whose stderr (progress lines) is watched as it runs, so that a test can act
 * at a given step of it (kill the operator in a given 2PC phase, for instance).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT } from '../../scripts/lib/local-cluster.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export interface Run {
  /** Resolves once a line of stderr matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>
  done: Promise<{ code: number | null; stdout: string; stderr: string; exitedAt: number }>
}

export function runCli(args: string[], env: Record<string, string>): Run {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MACI_ANON_')))
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const watchers: Array<() => void> = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    watchers.forEach((check) => check())
  })
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; exitedAt: number }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() })),
  )
  return {
    done,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs)
        const check = () => {
          if (!pattern.test(stderr)) return
          clearTimeout(timer)
          resolve()
        }
        watchers.push(check)
        void done.then(() => {
          clearTimeout(timer)
          if (!pattern.test(stderr)) reject(new Error(`exited before ${pattern}:\n${stderr}`))
        })
        check()
      }),
  }
}
