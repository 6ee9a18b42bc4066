/**
 * An operator daemon in this process: the real Operator core on a real LevelDB directory,
 * served over TCP + Noise + yamux on 127.0.0.1, with logs silenced.
 */
import { join } from 'node:path'
import { resolveConfig, type Config } from '../../src/daemon/config.js'
import { Operator } from '../../src/daemon/operator.js'
import { OperatorService } from '../../src/daemon/operator-service.js'
import { dataPaths } from '../../src/daemon/paths.js'
import { silentLogger, temporaryDirectory } from './helpers.js'

export interface RunningOperator {
  service: OperatorService
  config: Config
  address: ReturnType<OperatorService['host']['node']['getMultiaddrs']>[number]
  /** Graceful stop with `graceMs` for running sessions, then the data directory is removed. */
  stop: (graceMs?: number) => Promise<void>
}

export async function startOperator(listen = '/ip4/127.0.0.1/tcp/0'): Promise<RunningOperator> {
  const temp = await temporaryDirectory()
  const config = resolveConfig('operator', {
    flags: { dataDir: join(temp.path, 'operator'), listen, logLevel: 'silent', shutdownGraceMs: 1000 },
  })
  await Operator.initialize(dataPaths(config.dataDir).operatorState)
  const service = await OperatorService.start(config, silentLogger())
  return {
    service,
    config,
    address: service.host.addresses[0],
    stop: async (graceMs = 1000) => {
      await service.stop(graceMs)
      await temp.remove()
    },
  }
}
