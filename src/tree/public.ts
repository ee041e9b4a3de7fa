/**
 * The public face of pytrees, exported as the namespace `tree`.
 *
 * @since 0.1.0
 */
export { map, leaves, reduce, zerosLike, structureEquals } from './index.js'
export type { Tree } from './index.js'
