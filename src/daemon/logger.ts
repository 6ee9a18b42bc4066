/**
 * Structured logs (pino, JSON lines) on stderr, so stdout stays for command output.
 * Secrets are never passed to the logger: call sites log public values only (peer IDs,
 * counts, indices, error codes). The redaction list is a second line of defence should a
 * secret-bearing object ever be logged by mistake.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

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

export function createLogger(name: string, level: LogLevel): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
        censor: '[redacted]',
      },
    },
    // Synchronous writes: a daemon killed with SIGKILL still leaves every line it logged.
    pino.destination({ dest: 2, sync: true }),
  )
}
