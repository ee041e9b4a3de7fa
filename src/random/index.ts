/** placeholder, replaced by the random module */
export interface Key { readonly __key: true }
