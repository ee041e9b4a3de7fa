/**
 * purediff/train: the training loop and the lecture's recipe — shuffled mini-batches, a pure
 * train step, evaluation, early stopping, per-layer gradient norms and the diagnosis of a run.
 * This file only re-exports.
 *
 * @since 0.1.0
 */

// --- data
export { batches } from './batches.js'
export type { Data } from './batches.js'

// --- the step and the loop
export { initTrainState, trainStep } from './trainStep.js'
export type { Loss, Penalty, TrainState, TrainStepOptions } from './trainStep.js'
export { fit, fitAsync } from './fit.js'
export type { BatchLog, EpochLog, FitAsyncOptions, FitOptions, FitResult, FitResume } from './fit.js'
export { evaluate } from './evaluate.js'
export type { Evaluation, EvaluateOptions } from './evaluate.js'
export { TrainingDivergedError } from './diverged.js'

// --- early stopping and the recipe
export { earlyStopping } from './earlyStopping.js'
export type { EarlyStopping, EarlyStoppingOptions, EarlyStoppingState } from './earlyStopping.js'
export { diagnose, trainingAdvice, trainingAdviceFor, testingAdvice } from './diagnose.js'
export type { Diagnosis, DiagnoseOptions, History, SpreadEvidence } from './diagnose.js'
export { gradientNorms, gradientNormSpread } from './gradientNorms.js'
export type { NormSpread } from './gradientNorms.js'
