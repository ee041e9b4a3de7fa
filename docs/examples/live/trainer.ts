/**
 * The live page's model: two interleaved half-moons (a 2-D toy set drawn with purediff's own
 * random keys) and a small tanh MLP trained on them by Adam. The live page imports THIS module
 * into the browser; docs/examples/live/train.ts runs the same code in Node and checks it.
 */
import { type Key, type Tensor, add, concat, cos, oneHot, random, sin, softmax, stack, sub, tensor, toFlatArray } from 'purediff'
import { dense, losses, sequential, tanh } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { type TrainState, evaluate, initTrainState, trainStep } from 'purediff/train'

// #region data
/**
 * n points on two half circles: class 0 on (cos θ, sin θ), class 1 on (1 − cos θ, ½ − sin θ),
 * θ ~ U(0, π), plus Gaussian noise of standard deviation `noise` on both coordinates.
 */
export function moons(key: Key, n: number, noise = 0.2): { x: Tensor; y: Tensor; labels: number[] } {
  const [kTheta, kNoise] = random.split(key)
  const half = Math.floor(n / 2)
  const theta = random.uniform(kTheta, [half], { min: 0, max: Math.PI })
  const upper = stack([cos(theta), sin(theta)], 1) // [half, 2]
  const lower = stack([sub(1, cos(theta)), sub(0.5, sin(theta))], 1)
  const x = add(concat([upper, lower], 0), random.normal(kNoise, [2 * half, 2], { std: noise }))
  const labels = Array.from({ length: 2 * half }, (_, i) => (i < half ? 0 : 1))
  return { x, y: oneHot(labels, 2), labels }
}
// #endregion data

// #region model
/** 2 → 16 → 16 → 2 with tanh: two logits, one per moon. */
export const model = sequential(dense(16), tanh(), dense(16), tanh(), dense(2))
export const optimizer = adam(0.01)
const loss = losses.softmaxCrossEntropy
/** One pure step of Adam on a batch: (state, batch) => the next state. */
export const step = trainStep({ model, optimizer, loss })

type Params = ReturnType<typeof model.init>['params']
export type State = TrainState<Params, ReturnType<typeof optimizer.init>>
export type Data = ReturnType<typeof moons>

/** The data and the state before the first step, both determined by `seed`. */
export function start(seed: number, n = 200): { data: Data; state: State } {
  const [dataKey, initKey, stepKey] = random.split(random.key(seed), 3)
  const { params } = model.init(initKey, [2])
  return { data: moons(dataKey, n), state: initTrainState(params, optimizer, stepKey) }
}
// #endregion model

// #region train
/** `steps` full-batch steps: each makes a new state, nothing is modified. */
export function run(state: State, data: Data, steps: number): State {
  let s = state
  for (let i = 0; i < steps; i++) s = step(s, data)
  return s
}

/** The loss and accuracy of the state's params on `data` (test mode). */
export function score(state: State, data: Data): { loss: number; accuracy: number } {
  return evaluate(model, state.params, data, loss)
}
// #endregion train

/** P(class 1) at the centres of a `cells` × `cells` grid over [x0, x1] × [y0, y1], row by row from the top. */
export function probabilityGrid(state: State, [x0, x1]: readonly [number, number], [y0, y1]: readonly [number, number], cells: number): number[] {
  const pts: number[][] = []
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) pts.push([x0 + ((c + 0.5) * (x1 - x0)) / cells, y1 - ((r + 0.5) * (y1 - y0)) / cells])
  }
  const p = toFlatArray(softmax(model.apply(state.params, tensor(pts)), -1))
  return pts.map((_, i) => p[2 * i + 1])
}
