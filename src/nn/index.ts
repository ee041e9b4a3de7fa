/**
 * purediff/nn: pure layers, losses and penalties. This file only re-exports.
 *
 * @since 0.1.0
 */
export {}
