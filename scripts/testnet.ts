/**
 * `npm run testnet -- --voters N [--data DIR]`: the local network of scripts/lib/testnet-topology.ts
 * (the same services, commands and ports as docker-compose.yml) as processes on 127.0.0.1.
 * The operator and the replica run until Ctrl-C; each voter runs its steps (keygen, signup),
 * then the script prints how to drive every voter with the CLI.
 *
 * Without --data the state lives in a temporary directory removed at exit; with --data it is
 * kept, and a second run resumes it (voters that already have a keystore are left alone).
 * On Ctrl-C the script first keeps the poll's outcome: the operator's tally (tally.json) and
 * its exported proofs, in a directory that survives the cleanup, printed at the end.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { LocalCluster, type DaemonProcess, type LogLine } from './lib/local-cluster.js'
import { adminRequest, adminSocketPath } from '../src/daemon/admin-socket.js'
import { dataPaths } from '../src/daemon/paths.js'
import { DEFAULT_TOPOLOGY_PORTS, localPlacement, serviceEnv, services, type ServiceSpec } from './lib/testnet-topology.js'
import { keystoreExists } from '../src/daemon/voter-keystore.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const LOG_FIELDS_SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg'])

function printLog(name: string, line: LogLine): void {
  if (typeof line.level === 'number' && line.level < 30) return
  const fields = Object.entries(line)
    .filter(([key]) => !LOG_FIELDS_SKIPPED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  console.log(`${name.padEnd(9)}| ${line.msg ?? ''} ${fields.join(' ')}`.trimEnd())
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { voters: { type: 'string', default: '3' }, data: { type: 'string' } } })
  const voters = Number(values.voters)
  if (!Number.isInteger(voters) || voters < 0 || voters > 100) throw new Error('--voters must be an integer from 0 to 100')
  const root = values.data === undefined ? await mkdtemp(join(tmpdir(), 'maci-anon-testnet-')) : resolve(values.data)
  await mkdir(root, { recursive: true })
  const placement = localPlacement(root)
  const topology = services(voters)
  const cluster = new LocalCluster({ onLog: printLog })

  const daemons: DaemonProcess[] = []
  const shutdown = new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'))
    process.once('SIGTERM', () => done('SIGTERM'))
  })

  console.log(`maci-anon testnet: operator, replica and ${voters} voters on 127.0.0.1; data in ${root}`)
  try {
    for (const service of topology) {
      const env = serviceEnv(service, placement)
      if (service.daemon) {
        for (const step of service.steps.slice(0, -1)) await cluster.runOk(step, env)
        daemons.push(await cluster.startDaemon(service.name, service.steps[service.steps.length - 1], env))
      } else if (await keystoreExists(dataPaths(env.MACI_ANON_DATA_DIR).voterKeystore)) {
        console.log(`${service.name.padEnd(9)}| keystore exists; steps skipped`)
      } else {
        for (const step of service.steps) {
          const output = await cluster.runOk(['--json', ...step], env)
          console.log(`${service.name.padEnd(9)}| maci-anon ${step.join(' ')} -> ${JSON.stringify(JSON.parse(output))}`)
        }
      }
    }

    const { operator, replica } = DEFAULT_TOPOLOGY_PORTS
    console.log(`
operator: /ip4/127.0.0.1/tcp/${operator.p2p} and /ip4/127.0.0.1/tcp/${operator.ws}/ws  metrics http://127.0.0.1:${operator.metrics}/metrics
replica:  /ip4/127.0.0.1/tcp/${replica.p2p} and /ip4/127.0.0.1/tcp/${replica.ws}/ws  metrics http://127.0.0.1:${replica.metrics}/metrics

Drive a voter from another shell, for example voter-1:`)
    const example = topology.find((service) => service.role === 'voter')
    if (example !== undefined) {
      const exports = Object.entries(serviceEnv(example, placement)).map(([key, value]) => `export ${key}=${value}`)
      const commands = ['voter status', 'voter deactivate', 'voter reactivate', 'voter vote 1'].map((command) => `npm run maci-anon -- ${command}`)
      console.log([...exports, ...commands].map((line) => `  ${line}`).join('\n'))
    }
    console.log('\nCtrl-C stops the network.')
    const crashed = Promise.race(daemons.map((daemon) => daemon.exited.then((code) => `${daemon.name} exited with ${code}`)))
    const reason = await Promise.race([shutdown, crashed])
    console.log(`\n${reason}: stopping`)
    if (reason === 'SIGINT') {
      const operatorSpec = topology.find((service) => service.role === 'operator') as ServiceSpec
      const operatorDaemon = daemons.find((daemon) => daemon.name === operatorSpec.name)
      const results = await keepResults(cluster, serviceEnv(operatorSpec, placement), operatorDaemon, values.data === undefined ? undefined : join(root, 'results'))
      // Ctrl-C in a terminal reaches the daemons too; let them finish their own graceful stop.
      await Promise.race([Promise.all(daemons.map((daemon) => daemon.exited)), sleep(15_000)])
      console.log(results)
    }
  } finally {
    await cluster.stopAll()
    if (values.data === undefined) await rm(root, { recursive: true, force: true })
  }
}

/**
 * The tally and the exported proofs, into `kept` (or a fresh temporary directory that the
 * cleanup leaves alone). First from the running operator over its admin socket, at once:
 * Ctrl-C in a terminal stops the operator too, but it answers what it was asked before it
 * closes the socket. If it has already closed it (or refused), the operator is stopped and
 * the CLI reads its files.
 * Returns the lines to print last, after the daemons' shutdown logs.
 */
async function keepResults(cluster: LocalCluster, env: Record<string, string>, operator: DaemonProcess | undefined, kept: string | undefined): Promise<string> {
  const directory = kept ?? (await mkdtemp(join(tmpdir(), 'maci-anon-testnet-results-')))
  const proofs = join(directory, 'proofs')
  const socket = adminSocketPath(env.MACI_ANON_DATA_DIR)
  try {
    // Any failure here only means the files are read instead, below.
    let tally = await adminRequest(socket, { op: 'tally' }, 2_000).catch(() => undefined)
    let exported = tally === undefined ? undefined : await adminRequest(socket, { op: 'export-proofs', dir: proofs }, 2_000).catch(() => undefined)
    let source = 'daemon'
    if (tally === undefined || exported === undefined) {
      // A no-op on an operator that Ctrl-C already stopped; one only this script was signalled leaves running.
      await operator?.stop()
      source = 'offline'
      const { source: _offline, ...counted } = JSON.parse(await cluster.runOk(['--json', 'operator', 'tally'], env)) as Record<string, unknown>
      tally = counted
      exported = JSON.parse(await cluster.runOk(['--json', 'operator', 'export-proofs', proofs], env)) as unknown
    }
    await writeFile(join(directory, 'tally.json'), `${JSON.stringify(tally, null, 2)}\n`)
    const { exported: count } = exported as { exported: number }
    return `results (from the ${source === 'daemon' ? 'running operator' : "stopped operator's files"}), kept in ${directory}:
  tally.json  ${JSON.stringify(tally)}
  proofs/     ${count} activations, with parameters.json and roots.json`
  } catch (error) {
    return `could not keep the results in ${directory}: ${error instanceof Error ? error.message : String(error)}`
  }
}

main().catch((error: unknown) => {
  console.error(`testnet failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
