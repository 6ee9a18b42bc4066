/**
 * What `maci-anon audit` does, loaded when it runs (audit-command.ts declares it): checks an
 * `operator export-proofs` directory (src/daemon/audit.ts) and prints one verdict per
 * activation, with the reason for every failed check. Exits 1 when anything fails, after
 * printing the whole report.
 */
import { resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { auditExport, fetchPublishedState, type AuditFailure, type AuditReport, type PublishedState } from '../daemon/audit.js'
import { createNode, ephemeralPeerKey } from '../daemon/node.js'
import { CliError } from './errors.js'
import { isJson } from './options.js'
import { printResult } from './output.js'

export async function audit(dir: string, options: { against?: string; dialTimeoutMs: string }, command: Command): Promise<void> {
  const directory = resolve(dir)
  const against = options.against === undefined ? undefined : await fetchFrom(options.against, Number(options.dialTimeoutMs))
  const report = await auditExport(directory, { against })
  printResult(isJson(command), { ...report }, describe(report))
  if (!report.ok) process.exitCode = 1
}

async function fetchFrom(address: string, dialTimeoutMs: number): Promise<PublishedState> {
  let target
  try {
    target = multiaddr(address)
  } catch (error) {
    throw new CliError(`--against: ${(error as Error).message}`)
  }
  // A throwaway identity: an audit needs no standing with the node.
  const node = await createNode({ privateKey: await ephemeralPeerKey(), listen: [], dials: [address] })
  try {
    return await fetchPublishedState(node, target, { dialTimeoutMs })
  } finally {
    await node.stop()
  }
}

function describe(report: AuditReport): string {
  const line = (failure: AuditFailure) => `  - ${failure.check}: ${failure.reason}`
  const lines = [`audit of ${report.directory}${report.against === undefined ? '' : ` against ${report.against}`}`]
  if (report.failures.length > 0) lines.push('export:', ...report.failures.map(line))
  for (const activation of report.activations) {
    lines.push(`${activation.name}: ${activation.ok ? 'ok' : 'FAILED'}${activation.nullifier === undefined ? '' : ` (N ${activation.nullifier})`}`)
    lines.push(...activation.failures.map(line))
  }
  const failed = report.activations.filter((activation) => !activation.ok).length
  lines.push(
    report.ok
      ? `all ${report.activations.length} activations pass`
      : `FAILED: ${failed} of ${report.activations.length} activations${report.failures.length > 0 ? ', and the export itself' : ''}`,
  )
  return lines.join('\n')
}
