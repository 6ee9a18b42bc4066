/**
 * Progress of long steps (sync, proving, the 2PC) on stderr. On a terminal one line is
 * redrawn in place; otherwise (logs, CI, tests) only the start and end of each step are
 * written, so the output does not depend on timing.
 */
export class Progress {
  private label: string | undefined
  private started = 0
  private lastDraw = 0

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly live: boolean = process.stderr.isTTY === true,
  ) {}

  begin(label: string): void {
    this.end()
    this.label = label
    this.started = performance.now()
    this.lastDraw = 0
    this.stream.write(this.live ? `… ${label}` : `… ${label}\n`)
  }

  /** Redraw the current step with a detail (counts, bytes), at most ten times a second. */
  update(detail: string): void {
    if (!this.live || this.label === undefined) return
    const now = performance.now()
    if (now - this.lastDraw < 100) return
    this.lastDraw = now
    this.stream.write(`\r\x1b[2K… ${this.label}: ${detail} (${seconds(now - this.started)})`)
  }

  end(): void {
    if (this.label === undefined) return
    const line = `✓ ${this.label}${this.live ? ` (${seconds(performance.now() - this.started)})` : ''}`
    this.stream.write(this.live ? `\r\x1b[2K${line}\n` : `${line}\n`)
    this.label = undefined
  }

  /** End the current step as failed. */
  fail(): void {
    if (this.label === undefined) return
    this.stream.write(this.live ? `\r\x1b[2K✗ ${this.label}\n` : `✗ ${this.label}\n`)
    this.label = undefined
  }

  note(message: string): void {
    this.stream.write(this.live && this.label !== undefined ? `\r\x1b[2K! ${message}\n` : `! ${message}\n`)
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
