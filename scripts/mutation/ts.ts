/**
 * The TypeScript 5 compiler API, loaded from this folder's own node_modules (installed by
 * `npm ci --prefix scripts/mutation`). The root's TypeScript 7 is the native compiler, without
 * that API, and a static `import 'typescript'` would resolve to it wherever this folder is not
 * installed (the root type-check reads scripts/), so the module is required at run time and
 * typed here by the few members the mutator uses.
 */
import { createRequire } from 'node:module'

/** A syntax node: only the members the mutator reads (all optional beyond kind and range). */
export interface TsNode {
  readonly kind: number
  readonly pos: number
  readonly end: number
  readonly parent: TsNode
  readonly flags: number
  getStart(sf?: TsNode): number
  getText(sf?: TsNode): string
  readonly text?: string
  readonly left?: TsNode
  readonly right?: TsNode
  readonly operatorToken?: TsNode
  readonly operand?: TsNode
  readonly operator?: number
  readonly expression?: TsNode
  readonly condition?: TsNode
  readonly whenTrue?: TsNode
  readonly whenFalse?: TsNode
  readonly thenStatement?: TsNode
  readonly elseStatement?: TsNode
  readonly statement?: TsNode
  readonly body?: TsNode
  readonly statements?: readonly TsNode[]
  readonly elements?: readonly TsNode[]
  readonly properties?: readonly TsNode[]
  readonly arguments?: readonly TsNode[]
  readonly name?: TsNode
  readonly questionDotToken?: TsNode
  readonly initializer?: TsNode
  readonly modifiers?: readonly TsNode[]
}

/** A member that a node of this kind always has (the parser sets it); throws, naming the kind, if not. */
export function child<K extends keyof TsNode>(n: TsNode, key: K): NonNullable<TsNode[K]> {
  const v = n[key]
  if (v === undefined || v === null) throw new Error(`mutation: a syntax node of kind ${n.kind} has no ${key}`)
  return v as NonNullable<TsNode[K]>
}

export interface TsApi {
  readonly version: string
  readonly SyntaxKind: Record<string, number> & Record<number, string>
  readonly ScriptTarget: { readonly Latest: number }
  readonly ScriptKind: { readonly TS: number }
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents: boolean,
    kind: number,
  ): TsNode & {
    readonly parseDiagnostics?: readonly unknown[]
    getLineAndCharacterOfPosition(pos: number): { line: number; character: number }
  }
  forEachChild(node: TsNode, cb: (n: TsNode) => void): void
}

const here = new URL('.', import.meta.url).pathname

/** The TypeScript 5 API of scripts/mutation/node_modules; throws when it is not installed. */
export function loadTs(): TsApi {
  const ts = createRequire(`${here}package.json`)('typescript') as TsApi
  if (!ts.version.startsWith('5.')) throw new Error(`scripts/mutation needs TypeScript 5 (its compiler API), found ${ts.version}`)
  return ts
}
