/// <reference types="node" />
/**
 * Training progress: on a TTY one line redrawn in place (epoch, batch, loss, accuracy, elapsed,
 * ETA); otherwise one plain line per epoch, so logs stay readable.
 *
 * @internal
 */

const fmtTime = (ms: number): string => {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

/** A progress reporter for `epochs` epochs. */
export interface Progress {
  readonly batch: (epoch: number, batch: number, batches: number, loss: number) => void
  readonly epoch: (epoch: number, line: string) => void
  /** Ends a half-drawn line (before other output, e.g. when interrupted). */
  readonly end: () => void
}

/** Progress on `stream` (default stderr) of a run of `epochs` epochs whose first `from` were done before (a resumed run): the ETA counts only what this process did. */
export function progress(epochs: number, stream: { readonly write: (s: string) => unknown; readonly isTTY?: boolean } = process.stderr, from = 0): Progress {
  const start = Date.now()
  const tty = stream.isTTY === true
  let drawn = false
  let last = 0
  return {
    batch: (epoch, batch, batches, loss) => {
      if (!tty) return
      const now = Date.now()
      if (now - last < 100 && batch < batches) return // at most 10 redraws a second: batches can be sub-millisecond
      last = now
      drawn = true
      const done = epoch + batch / batches - from
      const elapsed = now - start
      const eta = done > 0 ? (elapsed / done) * (epochs - from - done) : 0
      const width = 20
      const filled = Math.round((batch / batches) * width)
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
      stream.write(`\r\x1b[2Kepoch ${epoch + 1}/${epochs} ${bar} batch ${batch}/${batches} loss ${loss.toFixed(4)} elapsed ${fmtTime(elapsed)} ETA ${fmtTime(eta)}`)
    },
    epoch: (epoch, line) => {
      const elapsed = fmtTime(Date.now() - start)
      stream.write(`${tty ? '\r\x1b[2K' : ''}epoch ${epoch + 1}/${epochs} ${line} elapsed ${elapsed}\n`)
      drawn = false
    },
    end: () => {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
}
