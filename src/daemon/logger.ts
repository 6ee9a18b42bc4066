/**
 * Structured logs (pino, JSON lines) on stderr, so stdout stays for command output.
 * Secrets are never passed to the logger: call sites log public values only (peer IDs,
 * counts, indices, error codes). The redaction list is a second line of defence should a
 * secret-bearing object ever be logged by mistake.
 */
import { pino, type DestinationStream, type Logger } from 'pino'
import { PinoPretty } from 'pino-pretty'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/** Field names that hold secrets anywhere in this project: keys, K, kappa, s, rho, passphrases. */
const SECRET_FIELDS = [
  'privateKey',
  'secret',
  'secrets',
  'passphrase',
  'leafKey',
  'leafKeyBlinding',
  'K',
  'kappa',
  's',
  'rho',
  'plaintext',
  'share',
  'shares',
]

/**
 * Synchronous writes to stderr either way: a daemon killed with SIGKILL still leaves every
 * line it logged. `pretty` formats in this thread (pino-pretty as a stream, not a worker
 * transport) for the same reason; it is meant for a terminal, not for a collector.
 */
function destination(format: LogFormat): DestinationStream {
  if (format === 'json') return pino.destination({ dest: 2, sync: true })
  return PinoPretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
}

export function createLogger(name: string, level: LogLevel, format: LogFormat = 'json'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
        censor: '[redacted]',
      },
    },
    destination(format),
  )
}
