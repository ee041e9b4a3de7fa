/**
 * Progress of `purediff recipe` while a model trains, so a long experiment is never silent: on a
 * terminal one line redrawn in place (at most ten times a second); elsewhere (logs, CI) a plain
 * line whenever `everyMs` has passed since anything was last printed, so logs stay short.
 *
 * @internal
 */
import type { Tick } from './common.js'

/** Where progress goes: a stream (stderr by default) and whether it is a terminal. */
export interface ProgressSink {
  readonly write: (s: string) => unknown
  readonly isTTY?: boolean
  /** A terminal's width: a live line longer than it would wrap and could not be redrawn. */
  readonly columns?: number
}

/** The reporter of one recipe run. */
export interface Reporter {
  /** A progress callback for one model; `label` names it, e.g. '(c) adam'. */
  readonly model: (label: string) => Tick
  /** Call before printing anything else: clears the live line and restarts the quiet timer. */
  readonly printed: () => void
}

/** Longest progress line: the recipe's output fits in 100 columns. */
export const MAX_WIDTH = 100

const CLEAR = '\r\x1b[2K'

/** One progress line: `… (c) adam: epoch 3/20, batch 40/80, loss 0.1234 [12.3s]`. */
export function progressLine(label: string, epoch: number, epochs: number, batch: number, batches: number, loss: number, seconds: number, width = MAX_WIDTH): string {
  const line = `… ${label}: epoch ${epoch}/${epochs}, batch ${batch}/${batches}, loss ${loss.toFixed(4)} [${seconds.toFixed(1)}s]`
  return line.length <= width ? line : `${line.slice(0, Math.max(width - 1, 0))}…`
}

/**
 * A reporter writing to `sink`. A terminal gets one live line (redrawn at most every 100 ms);
 * anything else gets a line when `everyMs` (default 3 s) has passed since the last output.
 * `now` is the clock in ms (for tests).
 */
export function reporter(sink: ProgressSink, o: { everyMs?: number; now?: () => number } = {}): Reporter {
  const now = o.now ?? Date.now
  const tty = sink.isTTY === true
  const every = tty ? 100 : (o.everyMs ?? 3000)
  // A terminal of unknown size reports 0 columns (e.g. under `script`): then assume 100.
  const width = tty && sink.columns !== undefined && sink.columns > 1 ? Math.min(MAX_WIDTH, sink.columns - 1) : MAX_WIDTH
  let last = now()
  let live = false
  return {
    model: (label) => {
      const start = now()
      return (epoch, epochs, batch, batches, loss) => {
        const t = now()
        if (t - last < every) return
        last = t
        const line = progressLine(label, epoch, epochs, batch, batches, loss, (t - start) / 1000, width)
        if (tty) {
          sink.write(CLEAR + line)
          live = true
        } else sink.write(`${line}\n`)
      }
    },
    printed: () => {
      if (live) sink.write(CLEAR)
      live = false
      last = now()
    },
  }
}
