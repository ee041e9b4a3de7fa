/**
 * Mutant generation on the TypeScript syntax tree: each mutant is one textual edit of one
 * source file (a range and its replacement) that still parses. The operators follow Stryker's
 * standard set (names kept so results compare), minus regular expressions; type positions,
 * imports/exports and property names are never mutated.
 *
 * The same walk numbers the file's regions (blocks, branches, short-circuited operands, concise
 * arrow bodies), so the coverage run (`instrument`) and the mutants agree on which region holds
 * each mutant: a mutant is "reached" by a test when its innermost region ran during that test.
 */
import { type TsApi, type TsNode, child } from './ts.js'

// --- model

/** One mutant: replace text[start, end) of `file` by `replacement`. */
export interface Mutant {
  /** `file#index` (index in the file's mutant order; stable while the file is unchanged). */
  readonly id: string
  readonly file: string
  readonly line: number
  readonly col: number
  readonly operator: string
  readonly original: string
  readonly replacement: string
  readonly start: number
  readonly end: number
  /** Coverage key of the innermost region holding the mutant (`file#r3`), or the module's (`file#m`). */
  readonly scope: string
  /** Name of the innermost named function, for reports and exclusion rules ('' at top level). */
  readonly fn: string
  /** The source line where the mutant starts (trimmed), for exclusion rules. */
  readonly source: string
}

// --- operations

const arithmetic: Record<string, readonly string[]> = { '+': ['-'], '-': ['+'], '*': ['/'], '/': ['*'], '%': ['*'] }
const equality: Record<string, readonly string[]> = {
  '<': ['<=', '>='],
  '<=': ['<', '>'],
  '>': ['>=', '<='],
  '>=': ['>', '<'],
  '===': ['!=='],
  '!==': ['==='],
  '==': ['!='],
  '!=': ['=='],
}
const logical: Record<string, readonly string[]> = { '&&': ['||'], '||': ['&&'], '??': ['&&'] }
const assignment: Record<string, readonly string[]> = {
  '+=': ['-='],
  '-=': ['+='],
  '*=': ['/='],
  '/=': ['*='],
  '%=': ['*='],
  '&&=': ['||='],
  '||=': ['&&='],
  '??=': ['&&='],
}
const methodSwap: Record<string, string> = {
  endsWith: 'startsWith',
  startsWith: 'endsWith',
  every: 'some',
  some: 'every',
  toLowerCase: 'toUpperCase',
  toUpperCase: 'toLowerCase',
  min: 'max',
  max: 'min',
}
const methodDrop = new Set(['filter', 'reverse', 'slice', 'sort', 'substring', 'substr', 'trim', 'trimStart', 'trimEnd'])

/** All mutants of one file, in source order, each checked to parse. */
export function mutantsOf(ts: TsApi, file: string, text: string): Mutant[] {
  const K = ts.SyntaxKind
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const out: Mutant[] = []
  const regions = numberRegions(ts, sf)
  const regionOf = (body: TsNode) => {
    const r = regions.get(body)
    if (r === undefined) throw new Error(`mutation: ${file}: a function body at ${body.pos} is not a numbered region`)
    return r
  }
  const skipKinds = new Set([
    K.ImportDeclaration,
    K.ExportDeclaration,
    K.InterfaceDeclaration,
    K.TypeAliasDeclaration,
    K.TypeParameter,
    K.HeritageClause,
    K.ModuleDeclaration,
    K.Decorator,
    K.TypeOperator,
  ])
  const isType = (n: TsNode) => n.kind >= K.FirstTypeNode && n.kind <= K.LastTypeNode
  const isDeclare = (n: TsNode) => (n.modifiers ?? []).some((m) => m.kind === K.DeclareKeyword)
  const fnKinds = functionKinds(ts)

  const scopeOf = (n: TsNode): { scope: string; fn: string } => {
    let scope = ''
    let fn = ''
    for (let p: TsNode | undefined = n; p !== undefined && p.kind !== K.SourceFile; p = p.parent) {
      // A function reached from a parameter (a default value): that runs with each call, as its body does.
      if (scope === '' && p !== n && fnKinds.has(p.kind) && p.body !== undefined) scope = `${file}#r${regionOf(p.body).index}`
      const r = regions.get(p)
      if (r !== undefined && scope === '') scope = `${file}#r${r.index}`
      if (fnKinds.has(p.kind) && fn === '') {
        if (p.name !== undefined) fn = p.name.getText(sf)
        else if (p.parent.kind === K.VariableDeclaration && p.parent.name !== undefined) fn = p.parent.name.getText(sf)
        else if (p.parent.kind === K.PropertyAssignment && p.parent.name !== undefined) fn = p.parent.name.getText(sf)
      }
      if (scope !== '' && fn !== '') break
    }
    return { scope: scope === '' ? `${file}#m` : scope, fn }
  }

  const add = (node: TsNode, operator: string, start: number, end: number, replacement: string): void => {
    const mutated = text.slice(0, start) + replacement + text.slice(end)
    const check = ts.createSourceFile(file, mutated, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
    if ((check.parseDiagnostics ?? []).length > 0) return
    const { line, character } = sf.getLineAndCharacterOfPosition(start)
    const { scope, fn } = scopeOf(node)
    const source = (text.split('\n')[line] ?? '').trim()
    out.push({ id: `${file}#${out.length}`, file, line: line + 1, col: character + 1, operator, original: text.slice(start, end), replacement, start, end, scope, fn, source })
  }
  const whole = (node: TsNode, operator: string, replacement: string) => add(node, operator, node.getStart(sf), node.end, replacement)
  const isLiteralBool = (n: TsNode) => n.kind === K.TrueKeyword || n.kind === K.FalseKeyword
  const isStringish = (n: TsNode) => n.kind === K.StringLiteral || n.kind === K.NoSubstitutionTemplateLiteral || n.kind === K.TemplateExpression
  const condition = (node: TsNode, values: readonly string[]) => {
    if (isLiteralBool(node)) return
    for (const v of values) whole(node, 'ConditionalExpression', v)
  }
  const isAssignmentTarget = (n: TsNode) => n.parent.kind === K.BinaryExpression && n.parent.left === n && n.parent.operatorToken?.kind === K.EqualsToken

  const visit = (node: TsNode): void => {
    if (skipKinds.has(node.kind) || isType(node) || isDeclare(node)) return
    switch (node.kind) {
      case K.BinaryExpression: {
        const opTok = child(node, 'operatorToken')
        const op = opTok.getText(sf)
        const tokRange = (r: string, name: string) => add(node, name, opTok.getStart(sf), opTok.end, r)
        if (arithmetic[op] !== undefined && !(op === '+' && (isStringish(child(node, 'left')) || isStringish(child(node, 'right'))))) {
          for (const r of arithmetic[op]) tokRange(r, 'ArithmeticOperator')
        }
        for (const r of equality[op] ?? []) tokRange(r, 'EqualityOperator')
        for (const r of logical[op] ?? []) tokRange(r, 'LogicalOperator')
        for (const r of assignment[op] ?? []) tokRange(r, 'AssignmentOperator')
        break
      }
      case K.PrefixUnaryExpression:
      case K.PostfixUnaryExpression: {
        const op = child(node, 'operator')
        const operand = child(node, 'operand')
        if (op === K.PlusPlusToken || op === K.MinusMinusToken) {
          const r = op === K.PlusPlusToken ? '--' : '++'
          const s = node.kind === K.PrefixUnaryExpression ? node.getStart(sf) : operand.end
          add(node, 'UpdateOperator', s, s + 2, r)
        } else if (op === K.MinusToken) add(node, 'UnaryOperator', node.getStart(sf), node.getStart(sf) + 1, '+')
        else if (op === K.PlusToken) add(node, 'UnaryOperator', node.getStart(sf), node.getStart(sf) + 1, '-')
        else if (op === K.TildeToken) whole(node, 'UnaryOperator', operand.getText(sf))
        else if (op === K.ExclamationToken) whole(node, 'BooleanLiteral', operand.getText(sf))
        break
      }
      case K.TrueKeyword:
        whole(node, 'BooleanLiteral', 'false')
        break
      case K.FalseKeyword:
        whole(node, 'BooleanLiteral', 'true')
        break
      case K.IfStatement:
        condition(child(node, 'expression'), ['true', 'false'])
        break
      case K.ConditionalExpression:
        condition(child(node, 'condition'), ['true', 'false'])
        break
      case K.WhileStatement:
      case K.DoStatement:
        condition(child(node, 'expression'), ['false'])
        break
      case K.ForStatement:
        if (node.condition !== undefined) condition(node.condition, ['false'])
        break
      case K.Block:
        if ((node.statements ?? []).length > 0) whole(node, 'BlockStatement', '{}')
        break
      case K.ArrowFunction: {
        const body = child(node, 'body')
        if (body.kind !== K.Block && body.getText(sf) !== 'undefined') whole(body, 'ArrowFunction', 'undefined')
        break
      }
      case K.ObjectLiteralExpression:
        if ((node.properties ?? []).length > 0 && !isAssignmentTarget(node)) whole(node, 'ObjectLiteral', '{}')
        break
      case K.ArrayLiteralExpression:
        if ((node.elements ?? []).length > 0 && !isAssignmentTarget(node)) whole(node, 'ArrayDeclaration', '[]')
        break
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
      case K.TemplateExpression:
        if (stringMutable(K, node)) {
          const q = node.kind === K.StringLiteral ? text[node.getStart(sf)] : '`'
          whole(node, 'StringLiteral', node.getText(sf).length <= 2 ? `${q}__mutated__${q}` : `${q}${q}`)
        }
        if (node.kind === K.TemplateExpression) break // its spans hold expressions to visit
        return
      case K.CallExpression: {
        const callee = child(node, 'expression')
        if (callee.kind === K.PropertyAccessExpression && callee.name !== undefined) {
          const name = callee.name.getText(sf)
          const swap = methodSwap[name]
          if (swap !== undefined) add(node, 'MethodExpression', callee.name.getStart(sf), callee.name.end, swap)
          if (methodDrop.has(name)) whole(node, 'MethodExpression', child(callee, 'expression').getText(sf))
        }
        break
      }
      default:
        break
    }
    if (node.questionDotToken !== undefined) {
      const q = node.questionDotToken
      add(node, 'OptionalChaining', q.getStart(sf), q.end, node.kind === K.PropertyAccessExpression ? '.' : '')
    }
    ts.forEachChild(node, visit)
  }
  ts.forEachChild(sf, visit)
  return out
}

/** Strings worth mutating: not module names, property keys, directives or tagged templates. */
function stringMutable(K: TsApi['SyntaxKind'], node: TsNode): boolean {
  const p = node.parent
  if (p.kind === K.ExternalModuleReference || p.kind === K.LiteralType) return false
  if (p.kind === K.TaggedTemplateExpression) return false
  if (p.kind === K.ExpressionStatement) return false // 'use strict'
  if ((p.kind === K.PropertyAssignment || p.kind === K.PropertyDeclaration || p.kind === K.MethodDeclaration) && p.name === node) return false
  if (p.kind === K.ElementAccessExpression && p.kind !== undefined && (p as { argumentExpression?: TsNode }).argumentExpression === node) return false
  return true
}

function functionKinds(ts: TsApi): Set<number> {
  const K = ts.SyntaxKind
  return new Set([K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor])
}

/** How a region's mark is inserted: after a block's `{`, around an expression, or around a lone statement. */
type RegionKind = 'block' | 'expr' | 'stmt'

/**
 * Numbers the regions of a file in walk order: blocks; concise arrow bodies; the branches of
 * `?:`; the right operands of `&&`, `||` and `??`; and the unbraced bodies of if/else and loops
 * (`if (bad) throw …` is a region of its own, so a mutant in the message is reached only by the
 * tests that take that branch).
 */
function numberRegions(ts: TsApi, sf: TsNode): Map<TsNode, { index: number; kind: RegionKind }> {
  const K = ts.SyntaxKind
  const fnKinds = functionKinds(ts)
  const shortCircuit = new Set([K.AmpersandAmpersandToken, K.BarBarToken, K.QuestionQuestionToken])
  const loops = new Set([K.ForStatement, K.ForInStatement, K.ForOfStatement, K.WhileStatement, K.DoStatement])
  const m = new Map<TsNode, { index: number; kind: RegionKind }>()
  const put = (n: TsNode | undefined, kind: RegionKind) => {
    if (n !== undefined && !m.has(n)) m.set(n, { index: m.size, kind })
  }
  const visit = (n: TsNode): void => {
    if (n.kind >= K.FirstTypeNode && n.kind <= K.LastTypeNode) return
    if (n.kind === K.Block) put(n, 'block')
    else if (fnKinds.has(n.kind) && n.body !== undefined && n.body.kind !== K.Block) put(n.body, 'expr')
    else if (n.kind === K.ConditionalExpression) {
      put(n.whenTrue, 'expr')
      put(n.whenFalse, 'expr')
    } else if (n.kind === K.BinaryExpression && shortCircuit.has(child(n, 'operatorToken').kind)) put(n.right, 'expr')
    else if (n.kind === K.IfStatement) {
      if (child(n, 'thenStatement').kind !== K.Block) put(n.thenStatement, 'stmt')
      if (n.elseStatement !== undefined && n.elseStatement.kind !== K.Block && n.elseStatement.kind !== K.IfStatement) put(n.elseStatement, 'stmt')
    } else if (loops.has(n.kind) && child(n, 'statement').kind !== K.Block) put(n.statement, 'stmt')
    ts.forEachChild(n, visit)
  }
  ts.forEachChild(sf, visit)
  return m
}

/**
 * The file with a coverage mark at the start of every region and of the module:
 * `globalThis.__pdCov?.add(key)`, the keys being the mutants' `scope`s. Only the coverage run
 * loads this text; mutants run on the plain file.
 */
export function instrument(ts: TsApi, file: string, text: string): string {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const mark = (key: string) => `globalThis.__pdCov?.add(${JSON.stringify(key)})`
  // Insertions at the same offset: openings sort after closings, so `a ? b : c` nests well.
  const edits: { at: number; s: string; open: boolean }[] = [{ at: 0, s: `${mark(`${file}#m`)};\n`, open: true }]
  for (const [node, { index, kind }] of numberRegions(ts, sf)) {
    const key = `${file}#r${index}`
    const start = node.getStart(sf)
    if (kind === 'block') edits.push({ at: start + 1, s: `${mark(key)};`, open: true })
    else if (kind === 'expr') edits.push({ at: start, s: `(${mark(key)}, `, open: true }, { at: node.end, s: ')', open: false })
    else edits.push({ at: start, s: `{ ${mark(key)}; `, open: true }, { at: node.end, s: '\n}', open: false })
  }
  // Apply from the end so earlier offsets stay valid. At one offset, the text ends up in reverse
  // application order: closings first (they end earlier regions), then openings.
  edits.sort((a, b) => b.at - a.at || (a.open === b.open ? 0 : a.open ? -1 : 1))
  let t = text
  for (const e of edits) t = t.slice(0, e.at) + e.s + t.slice(e.at)
  return t
}
