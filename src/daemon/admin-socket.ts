/**
 * The operator's local admin channel: a unix domain socket in its data directory, mode 0600,
 * so only the operator's machine user reaches it. The CLI asks the running daemon for its
 * status, tally and proof export over it instead of opening the LevelDB directory, which
 * the daemon holds locked. One request per connection: a line of JSON in, a line of JSON
 * out (bigints as decimal strings, as the CLI's --json output), then the daemon hangs up.
 *
 *   {"op":"status"} | {"op":"tally"} | {"op":"export-proofs","dir":"/abs/path"}
 *   -> {"ok":true,"result":...} | {"ok":false,"code":"...","error":"..."}
 */
import { once } from 'node:events'
import { lstat, unlink } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { dirname, isAbsolute, join } from 'node:path'
import { MaciAnonError } from '../errors.js'
import type { Logger } from './logger.js'

/** A request is a few dozen bytes; anything near this bound is not one. */
export const MAX_REQUEST_BYTES = 4096
/** Time a client has to send its request line; the work it asks for is not bounded by it. */
export const REQUEST_DEADLINE_MS = 5_000
/** A reply is a status, a tally (one count per option) or an export count. */
const MAX_REPLY_BYTES = 1024 * 1024
/** The kernel's limit on a socket path (sun_path is 108 bytes on Linux, with the final NUL). */
const MAX_SOCKET_PATH_BYTES = 107

export type AdminRequest = { op: 'status' } | { op: 'tally' } | { op: 'export-proofs'; dir: string }

export type AdminErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'TIMEOUT' | 'UNKNOWN_OP' | 'FAILED'

export interface AdminHandlers {
  status(): unknown
  tally(): Promise<unknown>
  exportProofs(directory: string): Promise<unknown>
}

/** The admin socket's own failures and refusals; `code` is the refusal's (AdminErrorCode) or the client's own (PATH, UNREACHABLE, …). */
export class AdminSocketError extends MaciAnonError {
  constructor(code: string, message: string) {
    super(code, message)
  }
}

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, 'admin.sock')
}

export class AdminServer {
  private readonly connections = new Set<Socket>()

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.connections.add(socket)
      socket.once('close', () => this.connections.delete(socket))
    })
  }

  /**
   * Listens on `path`. A socket file left by a crashed daemon is replaced, but only if
   * nothing answers on it; anything else at that path is refused rather than deleted.
   */
  static async listen(path: string, handlers: AdminHandlers, logger: Logger): Promise<AdminServer> {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
      throw new AdminSocketError('PATH', `the admin socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes: use a shorter data directory`)
    }
    // In a world-writable directory another user could swap the socket for one of their own.
    if (((await lstat(dirname(path))).mode & 0o002) !== 0) {
      throw new AdminSocketError('PATH', `${dirname(path)} is world-writable: the admin socket needs a directory only the operator can write`)
    }
    await removeStale(path)
    // Half-open: the client ends its side after the request and still reads the reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, handlers, logger))
    // The socket file takes its mode from the umask when bind() creates it, and listen()
    // binds synchronously: a 0177 umask around the call leaves no moment it is reachable
    // by others, which a chmod after listening would.
    const umask = process.umask(0o177)
    try {
      server.listen(path)
    } finally {
      process.umask(umask)
    }
    await once(server, 'listening')
    logger.info({ path }, 'admin socket listening')
    return new AdminServer(server)
  }

  /**
   * Stops accepting, lets requests in progress finish within `graceMs`, then cuts them.
   * libuv unlinks the socket file when the listening handle closes.
   */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    const timer = setTimeout(() => {
      for (const socket of this.connections) socket.destroy()
    }, graceMs)
    try {
      await closed
    } finally {
      clearTimeout(timer)
    }
  }
}

async function removeStale(path: string): Promise<void> {
  const stats = await lstat(path).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  })
  if (stats === undefined) return
  if (!stats.isSocket()) throw new AdminSocketError('PATH', `${path} exists and is not a socket: remove it`)
  if ((await adminRequest(path, { op: 'status' }, REQUEST_DEADLINE_MS).catch(() => null)) !== undefined) {
    throw new AdminSocketError('IN_USE', `something answers on ${path}: is another daemon running on this directory?`)
  }
  await unlink(path)
}

/** One connection: read one bounded line within the deadline, answer it, hang up. */
function serve(socket: Socket, handlers: AdminHandlers, logger: Logger): void {
  let buffered = ''
  // Set once a request is taken or refused: input after it is read and dropped, so that the
  // client's end of the stream arrives and the connection closes.
  let taken = false
  const reply = (message: Record<string, unknown>) => {
    socket.end(`${JSON.stringify(message, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`)
  }
  const refuse = (code: AdminErrorCode, error: string) => {
    taken = true
    clearTimeout(deadline)
    logger.warn({ code }, `admin request refused: ${error}`)
    reply({ ok: false, code, error })
  }
  const deadline = setTimeout(() => refuse('TIMEOUT', `no complete request within ${REQUEST_DEADLINE_MS} ms`), REQUEST_DEADLINE_MS)
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    if (taken) return
    buffered += chunk
    const end = buffered.indexOf('\n')
    const line = end === -1 ? buffered : buffered.slice(0, end)
    if (Buffer.byteLength(line) > MAX_REQUEST_BYTES) return refuse('TOO_LARGE', `a request is at most ${MAX_REQUEST_BYTES} bytes`)
    if (end === -1) return
    let request: AdminRequest
    try {
      request = parseRequest(line)
    } catch (error) {
      // parseRequest throws only AdminSocketError, whose codes are the refusals'.
      const refusal = error as AdminSocketError
      return refuse(refusal.code as AdminErrorCode, refusal.detail)
    }
    taken = true
    clearTimeout(deadline)
    answer(request, handlers).then(
      (result) => reply({ ok: true, result }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error)
        logger.warn({ op: request.op }, `admin request failed: ${message}`)
        reply({ ok: false, code: 'FAILED', error: message })
      },
    )
  })
  // A client that goes away early only loses its own answer.
  socket.on('error', () => socket.destroy())
  socket.once('close', () => clearTimeout(deadline))
}

function parseRequest(line: string): AdminRequest {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    throw new AdminSocketError('MALFORMED', 'the request is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AdminSocketError('MALFORMED', 'the request is not a JSON object')
  const { op, dir } = parsed as Record<string, unknown>
  if (op === 'status' || op === 'tally') return { op }
  if (op !== 'export-proofs') throw new AdminSocketError('UNKNOWN_OP', `unknown op ${JSON.stringify(op)}: expected status, tally or export-proofs`)
  // The daemon's working directory is not the client's: only an absolute path means the same to both.
  if (typeof dir !== 'string' || !isAbsolute(dir)) throw new AdminSocketError('MALFORMED', 'export-proofs needs "dir", an absolute path')
  return { op, dir }
}

async function answer(request: AdminRequest, handlers: AdminHandlers): Promise<unknown> {
  switch (request.op) {
    case 'status':
      return handlers.status()
    case 'tally':
      return handlers.tally()
    case 'export-proofs':
      return handlers.exportProofs(request.dir)
  }
}

/**
 * Sends one request to the daemon at `path`. Resolves to undefined when no daemon answers
 * (no socket file, or one nobody listens on); rejects with the daemon's code when it refuses.
 * `connectTimeoutMs` bounds the connection only: a tally may take long.
 */
export async function adminRequest(path: string, request: AdminRequest, connectTimeoutMs: number): Promise<unknown> {
  const socket = connect(path)
  const timer = setTimeout(() => socket.destroy(new AdminSocketError('TIMEOUT', `the admin socket ${path} did not accept within ${connectTimeoutMs} ms`)), connectTimeoutMs)
  try {
    await once(socket, 'connect')
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return undefined
    throw error instanceof AdminSocketError ? error : new AdminSocketError('UNREACHABLE', `cannot reach the admin socket ${path}: ${code ?? String(error)}`)
  } finally {
    clearTimeout(timer)
  }
  socket.setEncoding('utf8')
  socket.end(`${JSON.stringify(request)}\n`)
  let text = ''
  try {
    for await (const chunk of socket as AsyncIterable<string>) {
      text += chunk
      if (text.length > MAX_REPLY_BYTES) throw new AdminSocketError('TOO_LARGE', `the reply on ${path} exceeds ${MAX_REPLY_BYTES} bytes`)
    }
  } catch (error) {
    throw error instanceof AdminSocketError ? error : new AdminSocketError('UNREACHABLE', `the operator daemon hung up on ${path}: ${errorCode(error) ?? String(error)}`)
  } finally {
    socket.destroy()
  }
  // A daemon that stops cuts the requests its grace period did not see finish.
  if (text === '') throw new AdminSocketError('UNREACHABLE', `the operator daemon closed ${path} without answering (is it stopping?)`)
  let reply: { ok?: unknown; result?: unknown; code?: unknown; error?: unknown }
  try {
    reply = JSON.parse(text) as typeof reply
  } catch {
    throw new AdminSocketError('MALFORMED', `the reply on ${path} is not JSON`)
  }
  if (reply.ok === true) return reply.result
  throw new AdminSocketError(String(reply.code), `the operator daemon refused: ${String(reply.error)}`)
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
}
