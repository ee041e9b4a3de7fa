/**
 * purediff/optim: optimizers as pure state transitions (Optax style). This file only re-exports.
 *
 * @since 0.1.0
 */
export {}
