/**
 * Layer laws: a layer of purediff/nn is a pair of pure functions. `init` is deterministic in
 * the key, `apply` changes nothing and gives the same output for the same arguments (in train
 * mode: for the same key), the output has the declared shape `[batch, ...outputShape]`, and
 * the gradients with respect to the parameters and to the inputs agree with float64 central
 * differences. Each law is a pure checker returning `{ ok, detail }` plus a named property of
 * the suite `layerLaws`; the caller picks the runner and the seed.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Key, type Tensor, mul, sum, toFlatArray } from '../src/index.js'
import type { ApplyContext, Layer } from '../src/nn/index.js'
import { arb, checkGrad, formatGradCheck } from '../src/testing/index.js'
import { type LawResult, type LawSuite, snapshot, unchanged } from './immutability.js'

// --- model

/**
 * One generated case of the layer laws: the init `key`, the parameters `init` gave for it, the
 * declared `outputShape`, a batch `x` (float64, shape `[batch, ...inputShape]`), output weights
 * `w` (shape `[batch, ...outputShape]`, elements in [−1, 1]) that turn the output into the
 * scalar Σ w ⊙ apply(params, x), and the per-call context `ctx` (train or test, with a key).
 *
 * @category model
 * @since 0.1.0
 */
export interface LayerCase<P> {
  readonly key: Key
  readonly params: P
  readonly outputShape: readonly number[]
  readonly x: Tensor
  readonly w: Tensor
  readonly ctx: ApplyContext
}

/**
 * Options of `layerLaws`:
 * - `inputs(params, batch)`: the arbitrary of input batches (float64, shape
 *   `[batch, ...inputShape]`), e.g. to keep pre-activations away from kinks; default
 *   `arb.tensor` with elements in [−2, 2].
 * - `maxBatch` (3): batches have 1 to maxBatch examples.
 * - `train` ('both'): the mode of `ctx` in the cases: true, false or 'both' (drawn per case).
 * - `eps` (1e-6), `rtol` (1e-5), `atol` (1e-7): the tolerances of `checkGrad`.
 * - `integerInputs` (false): the inputs are integer ids (an embedding's int32 indices), which
 *   have no derivative; then `inputs` must generate them, and the suite has no gradient law
 *   with respect to the inputs.
 *
 * @category model
 * @since 0.1.0
 */
export interface LayerLawOptions<P> {
  readonly inputs?: (params: P, batch: number) => fc.Arbitrary<Tensor>
  readonly maxBatch?: number
  readonly train?: boolean | 'both'
  readonly eps?: number
  readonly rtol?: number
  readonly atol?: number
  readonly integerInputs?: boolean
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i])
const fmt = (s: readonly number[]) => `[${s.join(',')}]`

/** Bitwise equality of two flat arrays (NaN = NaN, −0 ≠ +0); the first difference, or null. */
function firstDifference(a: readonly number[], b: readonly number[]): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `index ${i}: ${a[i]} vs ${b[i]}`
  return null
}

// --- constructors

/**
 * The arbitrary of `LayerCase`s for a layer and the shape of one example (no batch axis).
 *
 * @example
 * import fc from 'fast-check'
 * import { dense } from 'purediff/nn'
 * import { layerCase } from 'purediff/laws'
 * const [c] = fc.sample(layerCase(dense(2), [3]), { numRuns: 1, seed: 1 })
 * if (c.x.shape[1] !== 3 || c.w.shape.join() !== `${c.x.shape[0]},2`) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function layerCase<P>(layer: Layer<P>, inputShape: readonly number[], opts: LayerLawOptions<P> = {}): fc.Arbitrary<LayerCase<P>> {
  const { maxBatch = 3, train = 'both' } = opts
  const shape = inputShape.slice()
  const mode = train === 'both' ? fc.boolean() : fc.constant(train)
  return fc.record({ key: arb.key(), ctxKey: arb.key(), train: mode, batch: fc.integer({ min: 1, max: maxBatch }) }).chain(({ key, ctxKey, train: t, batch }) => {
    const { params, outputShape } = layer.init(key, shape)
    const xs = opts.inputs !== undefined ? opts.inputs(params, batch) : arb.tensor({ shape: [batch, ...shape], min: -2, max: 2 })
    return fc
      .record({ x: xs, w: arb.tensor({ shape: [batch, ...outputShape], min: -1, max: 1 }) })
      .map(({ x, w }): LayerCase<P> => ({ key, params, outputShape, x, w, ctx: { train: t, key: ctxKey } }))
  })
}

/**
 * The layer suite, properties:
 * - 'init is deterministic in the key' (`checkInitDeterministic`);
 * - 'apply is pure' (`checkApplyPure`, in the case's mode);
 * - 'output shape as declared' (`checkOutputShape`);
 * - 'gradient w.r.t. params checks numerically' and 'gradient w.r.t. inputs checks
 *   numerically' (`checkLayerGradient`; inputs away from kinks come from `opts.inputs`; the
 *   latter is left out for `integerInputs`).
 * Never runs the properties itself.
 *
 * @example
 * import fc from 'fast-check'
 * import { tanh } from 'purediff/nn'
 * import { layerLaws } from 'purediff/laws'
 * for (const [name, property] of Object.entries(layerLaws(tanh(), [3]))) {
 *   if (fc.check(property, { numRuns: 5, seed: 1 }).failed) throw new Error(name)
 * }
 * @category constructors
 * @since 0.1.0
 */
export function layerLaws<P>(layer: Layer<P>, inputShape: readonly number[], opts: LayerLawOptions<P> = {}): LawSuite<LayerCase<P>> {
  const cases = layerCase(layer, inputShape, opts)
  const name = layer.name ?? 'layer'
  const must = (r: LawResult) => {
    if (!r.ok) throw new Error(`${name}: ${r.detail}`)
  }
  return {
    'init is deterministic in the key': fc.property(cases, (c) => must(checkInitDeterministic(layer, c.key, inputShape))),
    'apply is pure': fc.property(cases, (c) => must(checkApplyPure(layer, c.params, c.x, c.ctx))),
    'output shape as declared': fc.property(cases, (c) => must(checkOutputShape(layer, c.params, c.x, c.outputShape, c.ctx))),
    'gradient w.r.t. params checks numerically': fc.property(cases, (c) => must(checkLayerGradient(layer, c, 'params', opts))),
    ...(opts.integerInputs === true ? {} : { 'gradient w.r.t. inputs checks numerically': fc.property(cases, (c) => must(checkLayerGradient(layer, c, 'inputs', opts))) }),
  }
}

// --- operations

/**
 * `init` is a pure function of the key: two calls with the same key and input shape give
 * bit-identical parameters (same structure, shapes, dtypes, values) and equal output shapes,
 * and the input shape array is left unchanged.
 *
 * @example
 * import { random } from 'purediff'
 * import { dense } from 'purediff/nn'
 * import { checkInitDeterministic } from 'purediff/laws'
 * if (!checkInitDeterministic(dense(3), random.key(1), [4]).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkInitDeterministic<P>(layer: Layer<P>, key: Key, inputShape: readonly number[]): LawResult {
  const shape = inputShape.slice()
  const a = layer.init(key, shape)
  const b = layer.init(key, shape)
  if (!sameShape(shape, inputShape)) return { ok: false, detail: `init changed its inputShape argument from ${fmt(inputShape)} to ${fmt(shape)}` }
  if (!sameShape(a.outputShape, b.outputShape)) return { ok: false, detail: `init gave output shapes ${fmt(a.outputShape)} and ${fmt(b.outputShape)} for the same key` }
  const sa = snapshot(a.params),
    sb = snapshot(b.params)
  if (sa.paths.join('|') !== sb.paths.join('|'))
    return { ok: false, detail: `init gave parameter structures [${sa.paths.join(', ')}] and [${sb.paths.join(', ')}] for the same key` }
  for (let i = 0; i < sa.leaves.length; i++) {
    const la = sa.leaves[i],
      lb = sb.leaves[i]
    if (la.dtype !== lb.dtype || !sameShape(la.shape, lb.shape))
      return { ok: false, detail: `init gave ${sa.paths[i]} as ${la.dtype} ${fmt(la.shape)} and ${lb.dtype} ${fmt(lb.shape)}` }
    const d = firstDifference([...la.values], [...lb.values])
    if (d !== null) return { ok: false, detail: `init is not deterministic in the key: ${sa.paths[i]} differs at ${d}` }
  }
  return { ok: true, detail: `init(key, ${fmt(inputShape)}) gave the same ${sa.leaves.length} parameter leaves twice` }
}

/**
 * `apply` is pure: it changes neither the parameters nor the input, and two calls with the same
 * arguments (including the same `ctx.key` in train mode) give bit-identical outputs.
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dropout } from 'purediff/nn'
 * import { checkApplyPure } from 'purediff/laws'
 * const ctx = { train: true, key: random.key(3) }
 * if (!checkApplyPure(dropout(0.5), {}, tensor([[1, 2, 3]]), ctx).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkApplyPure<P>(layer: Layer<P>, params: P, x: Tensor, ctx: ApplyContext = {}): LawResult {
  const before = snapshot({ params, x })
  const y1 = toFlatArray(layer.apply(params, x, ctx))
  const y2 = toFlatArray(layer.apply(params, x, ctx))
  const r = unchanged(before, { params, x })
  if (!r.ok) return { ok: false, detail: `apply changed its input: ${r.detail}` }
  const d = firstDifference(y1, y2)
  if (d !== null) return { ok: false, detail: `apply gave different outputs for the same arguments (train ${ctx.train === true}): ${d}` }
  return { ok: true, detail: `apply left params and x unchanged and gave the same ${y1.length} outputs twice` }
}

/**
 * The output of `apply` has shape `[batch, ...outputShape]` with `outputShape` as `init`
 * declared it, and the batch size of `x`.
 *
 * @example
 * import { random, zeros } from 'purediff'
 * import { flatten } from 'purediff/nn'
 * import { checkOutputShape } from 'purediff/laws'
 * const { params, outputShape } = flatten().init(random.key(0), [2, 3])
 * if (!checkOutputShape(flatten(), params, zeros([4, 2, 3]), outputShape).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkOutputShape<P>(layer: Layer<P>, params: P, x: Tensor, outputShape: readonly number[], ctx: ApplyContext = {}): LawResult {
  const want = [x.shape[0], ...outputShape]
  const got = layer.apply(params, x, ctx).shape
  return sameShape(got, want)
    ? { ok: true, detail: `apply gave ${fmt(got)} as declared` }
    : { ok: false, detail: `apply on x of shape ${fmt(x.shape)} gave ${fmt(got)}; init declared outputShape ${fmt(outputShape)}, so expected ${fmt(want)}` }
}

/**
 * The gradient of p ↦ Σ w ⊙ apply(p, x, ctx) (`wrt: 'params'`) or of x ↦ Σ w ⊙ apply(params, x,
 * ctx) (`wrt: 'inputs'`) agrees with float64 central differences (`checkGrad`, which casts the
 * differentiated leaves to float64). Tolerances as `checkGrad`'s.
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dense } from 'purediff/nn'
 * import { checkLayerGradient } from 'purediff/laws'
 * const layer = dense(2)
 * const { params } = layer.init(random.key(0), [3])
 * const c = { params, x: tensor([[0.5, -1, 2]], 'float64'), w: tensor([[1, -2]], 'float64'), ctx: {} }
 * if (!checkLayerGradient(layer, c, 'params').ok || !checkLayerGradient(layer, c, 'inputs').ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkLayerGradient<P>(
  layer: Layer<P>,
  c: { readonly params: P; readonly x: Tensor; readonly w: Tensor; readonly ctx: ApplyContext },
  wrt: 'params' | 'inputs',
  opts: { readonly eps?: number; readonly rtol?: number; readonly atol?: number } = {},
): LawResult {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7 } = opts
  const r =
    wrt === 'params'
      ? checkGrad((p: P) => sum(mul(c.w, layer.apply(p, c.x, c.ctx))), c.params, { eps, rtol, atol })
      : checkGrad((x: Tensor) => sum(mul(c.w, layer.apply(c.params, x, c.ctx))), c.x, { eps, rtol, atol })
  return { ok: r.ok, detail: `gradient w.r.t. ${wrt} of Σ w ⊙ apply (train ${c.ctx.train === true}): ${formatGradCheck(r)}` }
}
