/**
 * Placeholder: filled in by the layer laws.
 *
 * @since 0.1.0
 */
export {}
