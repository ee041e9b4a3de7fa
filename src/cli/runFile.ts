/// <reference types="node" />
/**
 * The checkpoint of `purediff train` (format `purediff-cli/3`), inside purediff's lossless
 * checkpoint envelope: what the run was started with (model spec, optimizer config, seed, batch
 * size, patience, target epochs, the data's fingerprint), the params to evaluate, the history,
 * and the whole `RunState` to resume from. Decoded with io-ts, never trusted: a Left names the
 * path. `eval` also reads the older `purediff-cli/1` (no optimizer state) and `purediff-cli/2`
 * (the CLI's own loop, before it trained through `fit`: another order of the rows and running
 * training sums), neither resumable.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../index.js'
import { numberWhere, report, strictObject } from '../internal/codecs.js'
import type { Dataset } from './dataset.js'
import type { RunState } from './trainRun.js'

// --- model

/** The format tag of the checkpoints this purediff train writes. */
export const FORMAT = 'purediff-cli/3'

/** What a run was started with; a resume must match it. */
export interface RunMeta {
  readonly model: unknown
  readonly optimizer: unknown
  readonly seed: number
  readonly batchSize: number
  readonly patience: number | null
  readonly epochs: number
  readonly inputs: number
  readonly classes: number
  readonly data: { readonly source: string; readonly fingerprint: string; readonly rows: number }
}

// --- codecs

const Count = numberWhere('Count', 'a non-negative integer', (n) => Number.isSafeInteger(n) && n >= 0)
const Positive = numberWhere('Positive', 'a positive integer', (n) => Number.isSafeInteger(n) && n >= 1)
const Word = numberWhere('Word', 'an integer in [0, 2^32)', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)
const EpochOrNone = numberWhere('EpochOrNone', 'an epoch (≥ 0) or −1', (n) => Number.isSafeInteger(n) && n >= -1)
const Numbers = t.array(t.number)

const History = strictObject('a history', { trainLoss: Numbers, trainAccuracy: Numbers, validationLoss: Numbers, validationAccuracy: Numbers }, {})
const EarlyStoppingCodec = strictObject(
  'an early-stopping state',
  { epoch: Count, bestLoss: t.number, bestEpoch: EpochOrNone, reference: t.number, wait: Count, stop: t.boolean },
  {},
)
const Run = strictObject(
  'the run state',
  {
    epoch: Count,
    batch: Count,
    orderKey: t.tuple([Word, Word]),
    params: t.unknown,
    opt: t.unknown,
    earlyStopping: t.union([EarlyStoppingCodec, t.null]),
  },
  {},
)

/** The codec of a `purediff-cli/2` checkpoint tree (after `decodeCheckpoint`). */
export const RunCheckpoint = strictObject(
  'a purediff train checkpoint',
  {
    format: t.literal(FORMAT),
    model: t.unknown,
    optimizer: t.unknown,
    seed: Count,
    batchSize: Positive,
    patience: t.union([Positive, t.null]),
    epochs: Positive,
    inputs: Positive,
    classes: Positive,
    data: strictObject('the data description', { source: t.string, fingerprint: t.string, rows: Positive }, {}),
    params: t.unknown,
    history: History,
    run: Run,
  },
  {},
)

/** What `eval` needs, from either format (other fields are not looked at). */
export const EvalCheckpoint = t.type({
  format: t.union([t.literal('purediff-cli/1'), t.literal('purediff-cli/2'), t.literal(FORMAT)]),
  model: t.unknown,
  params: t.unknown,
  seed: Count,
  inputs: Positive,
  classes: Positive,
})

// --- operations

/** The checkpoint tree of a run (`encodeCheckpoint`/`saveCheckpoint` take it). The run's params are stored once when they are the ones to evaluate. */
export function runTree(meta: RunMeta, s: RunState, evalParams: unknown): unknown {
  const { bestParams: _best, ...es } = s.earlyStopping ?? { bestParams: undefined }
  return {
    format: FORMAT,
    ...meta,
    params: evalParams,
    history: s.history,
    run: {
      epoch: s.epoch,
      batch: s.batch,
      orderKey: random.keyData(s.orderKey),
      params: s.params === evalParams ? null : s.params,
      opt: s.opt,
      earlyStopping: s.earlyStopping === undefined ? null : es,
    },
  }
}

/** The meta and the run state of a decoded checkpoint tree, or a Left naming the path of the problem. */
export function readRunTree(tree: unknown): E.Either<string, { meta: RunMeta; state: RunState }> {
  const d = RunCheckpoint.decode(tree)
  if (E.isLeft(d)) return E.left(report(d.left))
  const c = d.right
  const r = c.run
  const n = c.history.trainLoss.length
  const lengths = [c.history.trainAccuracy, c.history.validationLoss, c.history.validationAccuracy].map((h) => h.length)
  if (r.epoch !== n || lengths.some((l) => l !== n)) return E.left(`at history: expected ${r.epoch} entries per metric (run.epoch), got ${[n, ...lengths].join(', ')}`)
  if (r.earlyStopping !== null && r.earlyStopping.epoch !== r.epoch) return E.left(`at run.earlyStopping.epoch: expected ${r.epoch} (run.epoch), got ${r.earlyStopping.epoch}`)
  if ((r.earlyStopping === null) !== (c.patience === null)) return E.left('at run.earlyStopping: present exactly when patience is set')
  const params = r.params === null ? c.params : r.params
  const es = r.earlyStopping === null ? undefined : { ...r.earlyStopping, ...(r.earlyStopping.bestEpoch >= 0 ? { bestParams: c.params } : {}) }
  const { format: _f, params: _p, history: _h, run: _r, ...meta } = c
  return E.right({
    meta,
    state: {
      params,
      opt: r.opt,
      orderKey: random.wrapKey(r.orderKey),
      epoch: r.epoch,
      batch: r.batch,
      history: c.history,
      ...(es === undefined ? {} : { earlyStopping: es }),
    },
  })
}

/** A SHA-256 fingerprint of a dataset: its sizes, every feature's float32 bits and every label. */
export function fingerprint(data: Dataset): string {
  const h = createHash('sha256')
  h.update(`${data.n} ${data.d} ${data.classes}\n`)
  h.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength))
  const y = new Int32Array(data.y.length)
  for (let i = 0; i < y.length; i++) y[i] = data.y[i]
  h.update(new Uint8Array(y.buffer))
  return h.digest('hex')
}
