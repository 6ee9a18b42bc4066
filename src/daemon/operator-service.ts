/**
 * The operator daemon: the Operator core behind every protocol. The core runs its
 * state-changing calls one at a time (Operator.serialized), so concurrent sessions never
 * interleave LevelDB batches; this service only translates between the wire and the core,
 * and maps the core's refusals to typed protocol errors. Beside libp2p it serves the local
 * admin socket (admin-socket.ts), through which the CLI reads status and tally and has the
 * daemon export proofs while it runs.
 */
import type { Channel } from '../mpc/channel.js'
import { ProtocolError } from '../protocol/errors.js'
import { messageService } from '../protocol/message.js'
import { reactivateService } from '../protocol/reactivate.js'
import { ReactivationSessionError } from '../core/reactivation/errors.js'
import { signupService } from '../protocol/signup.js'
import { statusService, type NodeStatus } from '../protocol/status.js'
import { syncService, type SyncSource } from '../protocol/sync.js'
import { AdminServer, adminSocketPath } from './admin-socket.js'
import type { Config } from './config.js'
import { DaemonHost } from './host.js'
import type { Logger } from './logger.js'
import { OperatorError } from '../core/messages.js'
import { Operator } from './operator.js'
import { exportProofs } from './proof-export.js'
import { workerMessageOpener } from './message-opener.js'
import { dataPaths } from './paths.js'
import { VERSION } from './version.js'

export class OperatorService {
  private constructor(
    readonly operator: Operator,
    readonly host: DaemonHost,
    private readonly admin: AdminServer,
    private readonly logger: Logger,
  ) {}

  static async start(config: Config, logger: Logger): Promise<OperatorService> {
    // Deactivations and votes are opened on a worker thread, beside the queue's work.
    const operator = await Operator.open(dataPaths(config.dataDir).operatorState, { messageOpener: workerMessageOpener })
    let admin: AdminServer | undefined
    try {
      // Before the host, so that the admin socket answers once the daemon logs "listening".
      // Tally and export run on the core's queue, so they see a consistent state while votes arrive.
      admin = await AdminServer.listen(
        adminSocketPath(config.dataDir),
        {
          status: () => operatorStatus(operator),
          tally: () => operator.tally(),
          exportProofs: async (directory) => ({ exported: await exportProofs(operator, directory), directory }),
        },
        logger,
      )
      const host = await DaemonHost.start({
        role: 'operator',
        config,
        logger,
        services: [
          signupService({ signup: (publicKey) => operator.signup(publicKey).catch(refusedOpenly) }),
          messageService({
            submitDeactivation: (ciphertext) => operator.submitDeactivation(ciphertext).catch(refusedOpenly),
            submitVote: (ciphertext) => operator.submitVote(ciphertext).catch(refusedOpenly),
          }),
          syncService(operatorSyncSource(operator)),
          statusService({ status: () => operatorStatus(operator) }),
          reactivateService((channel) => serveReactivationSession(channel, operator)),
        ],
        stateSizes: () => {
          const status = operator.status()
          return {
            signups: status.signups,
            deactivations: status.deactivations,
            leaves: status.deactivations,
            votes: status.votes,
            reactivation_attempts: status.reactivationAttempts,
          }
        },
      })
      return new OperatorService(operator, host, admin, logger)
    } catch (error) {
      await admin?.close(0)
      await operator.close()
      throw error
    }
  }

  async stop(graceMs: number): Promise<void> {
    await this.host.stop(graceMs)
    // After the host: an admin request sent as the stop began (the testnet's tally on Ctrl-C) is still answered.
    await this.admin.close(graceMs)
    await this.operator.close()
    this.logger.info('stopped')
  }
}

/**
 * The core's refusals (a duplicate key, a point off the curve, a message that does not open
 * or whose key is unknown) are facts the peer knows already, so they reach it as REFUSED.
 * An operator failure of its own (`local`) is not a refusal, and reaches the peer as INTERNAL.
 */
function refusedOpenly(error: unknown): never {
  if (error instanceof OperatorError && error.exposable) throw new ProtocolError('REFUSED', error.message)
  throw error
}

/** The operator's public data, as the sync protocol serves it. One leaf and one signed root per log entry. */
export function operatorSyncSource(operator: Operator): SyncSource {
  return {
    parameters: () => operator.publicParameters(),
    head: () => {
      const status = operator.status()
      return { leaves: status.deactivations, log: status.deactivations, roots: status.deactivations, root: status.root }
    },
    leaves: (from, to) => operator.leaves(from, to),
    log: (from, to) => operator.deactivationLog(from, to),
    roots: (from, to) => operator.signedRoots(from, to),
  }
}

export function operatorStatus(operator: Operator): NodeStatus {
  const status = operator.status()
  return {
    role: 'operator',
    version: VERSION,
    leaves: status.deactivations,
    root: status.root,
    signups: status.signups,
    deactivations: status.deactivations,
    reactivationAttempts: status.reactivationAttempts,
    votes: status.votes,
  }
}

/**
 * One reactivation session. The session module is loaded on first use: it pulls in the MPC
 * engine and the circuit artifacts, which no other protocol needs, so the daemon and the
 * CLI start without them. Its own refusals become typed protocol errors (the voter already
 * heard the refusal inside the session; the code is for the operator's logs and metrics).
 */
async function serveReactivationSession(channel: Channel, operator: Operator): Promise<void> {
  const { serveReactivation } = await import('../core/reactivation/operator-session.js')
  try {
    await serveReactivation(channel, operator)
  } catch (error) {
    if (!(error instanceof ReactivationSessionError)) throw error
    throw new ProtocolError(error.code === 'PROTOCOL' ? 'UNEXPECTED' : 'REFUSED', error.message)
  }
}
