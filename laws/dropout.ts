/**
 * Placeholder: filled in by the dropout laws.
 *
 * @since 0.1.0
 */
export {}
