/**
 * Placeholder: filled in by the optimizer laws.
 *
 * @since 0.1.0
 */
export {}
