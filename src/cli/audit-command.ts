/**
 * `maci-anon audit DIR [--against MULTIADDR]`: checks an `operator export-proofs` directory
 * and prints one verdict per activation. What it does is in audit-actions.ts, imported only
 * when it runs.
 */
import type { Command } from 'commander'

export function auditCommand(program: Command): void {
  program
    .command('audit')
    .argument('<dir>', 'a directory written by `operator export-proofs`')
    .description('check every exported activation: proofs, vkey hashes, KC, root history, L and N')
    .option('--against <multiaddr>', 'also require the parameters and root history that this node (operator or replica) serves')
    .option('--dial-timeout-ms <ms>', 'deadline for connecting to the --against node', '15000')
    .action(async (dir: string, options: { against?: string; dialTimeoutMs: string }, command: Command) =>
      (await import('./audit-actions.js')).audit(dir, options, command),
    )
}
