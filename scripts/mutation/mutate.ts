/**
 * Mutant generation on the TypeScript syntax tree: each mutant is one textual edit of one
 * source file (a range and its replacement) that still parses. The operators follow Stryker's
 * standard set (names kept so results compare), minus regular expressions; type positions,
 * imports/exports and property names are never mutated.
 *
 * The same walk numbers the file's functions, so the coverage run (`instrument`) and the
 * mutants agree on which function holds each mutant: a mutant is "reached" by a test file when
 * its innermost enclosing function (or, at top level, the module) ran during that file.
 */
import type { TsApi, TsNode } from './ts.js'

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
  /** Coverage key of the innermost enclosing function (`file#f3`), or the module's (`file#m`). */
  readonly scope: string
  /** Name of the innermost named function, for reports and exclusion rules ('' at top level). */
  readonly fn: string
}

// --- operations

const arithmetic: Record<string, readonly string[]> = { '+': ['-'], '-': ['+'], '*': ['/'], '/': ['*'], '%': ['*'] }
const equality: Record<string, readonly string[]> = {
  '<': ['<=', '>='], '<=': ['<', '>'], '>': ['>=', '<='], '>=': ['>', '<'],
  '===': ['!=='], '!==': ['==='], '==': ['!='], '!=': ['=='],
}
const logical: Record<string, readonly string[]> = { '&&': ['||'], '||': ['&&'], '??': ['&&'] }
const assignment: Record<string, readonly string[]> = {
  '+=': ['-='], '-=': ['+='], '*=': ['/='], '/=': ['*='], '%=': ['*='],
  '&&=': ['||='], '||=': ['&&='], '??=': ['&&='],
}
const methodSwap: Record<string, string> = {
  endsWith: 'startsWith', startsWith: 'endsWith', every: 'some', some: 'every',
  toLowerCase: 'toUpperCase', toUpperCase: 'toLowerCase', min: 'max', max: 'min',
}
const methodDrop = new Set(['filter', 'reverse', 'slice', 'sort', 'substring', 'substr', 'trim', 'trimStart', 'trimEnd'])

/** All mutants of one file, in source order, each checked to parse. */
export function mutantsOf(ts: TsApi, file: string, text: string): Mutant[] {
  const K = ts.SyntaxKind
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const out: Mutant[] = []
  const fnIndex = numberFunctions(ts, sf)
  const skipKinds = new Set([K.ImportDeclaration, K.ExportDeclaration, K.InterfaceDeclaration, K.TypeAliasDeclaration,
    K.TypeParameter, K.HeritageClause, K.ModuleDeclaration, K.Decorator, K.TypeOperator])
  const isType = (n: TsNode) => n.kind >= K.FirstTypeNode && n.kind <= K.LastTypeNode
  const isDeclare = (n: TsNode) => (n.modifiers ?? []).some((m) => m.kind === K.DeclareKeyword)

  const scopeOf = (n: TsNode): { scope: string; fn: string } => {
    let scope = ''
    let fn = ''
    for (let p: TsNode | undefined = n.parent; p !== undefined && p.kind !== K.SourceFile; p = p.parent) {
      const i = fnIndex.get(p)
      if (i !== undefined && scope === '') scope = `${file}#f${i}`
      if (i !== undefined && fn === '' && p.name !== undefined) fn = p.name.getText(sf)
      if (i !== undefined && fn === '' && p.parent.kind === K.VariableDeclaration && p.parent.name !== undefined) fn = p.parent.name.getText(sf)
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
    out.push({ id: `${file}#${out.length}`, file, line: line + 1, col: character + 1, operator, original: text.slice(start, end), replacement, start, end, scope, fn })
  }
  const whole = (node: TsNode, operator: string, replacement: string) => add(node, operator, node.getStart(sf), node.end, replacement)
  const isLiteralBool = (n: TsNode) => n.kind === K.TrueKeyword || n.kind === K.FalseKeyword
  const isStringish = (n: TsNode) => n.kind === K.StringLiteral || n.kind === K.NoSubstitutionTemplateLiteral || n.kind === K.TemplateExpression
  const condition = (node: TsNode, values: readonly string[]) => {
    if (isLiteralBool(node)) return
    for (const v of values) whole(node, 'ConditionalExpression', v)
  }
  const isAssignmentTarget = (n: TsNode) =>
    n.parent.kind === K.BinaryExpression && n.parent.left === n && n.parent.operatorToken?.kind === K.EqualsToken

  const visit = (node: TsNode): void => {
    if (skipKinds.has(node.kind) || isType(node) || isDeclare(node)) return
    switch (node.kind) {
      case K.BinaryExpression: {
        const opTok = node.operatorToken!
        const op = opTok.getText(sf)
        const tokRange = (r: string, name: string) => add(node, name, opTok.getStart(sf), opTok.end, r)
        if (arithmetic[op] !== undefined && !(op === '+' && (isStringish(node.left!) || isStringish(node.right!)))) {
          for (const r of arithmetic[op]) tokRange(r, 'ArithmeticOperator')
        }
        for (const r of equality[op] ?? []) tokRange(r, 'EqualityOperator')
        for (const r of logical[op] ?? []) tokRange(r, 'LogicalOperator')
        for (const r of assignment[op] ?? []) tokRange(r, 'AssignmentOperator')
        break
      }
      case K.PrefixUnaryExpression:
      case K.PostfixUnaryExpression: {
        const op = node.operator!
        const operand = node.operand!
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
      case K.TrueKeyword: whole(node, 'BooleanLiteral', 'false'); break
      case K.FalseKeyword: whole(node, 'BooleanLiteral', 'true'); break
      case K.IfStatement: condition(node.expression!, ['true', 'false']); break
      case K.ConditionalExpression: condition(node.condition!, ['true', 'false']); break
      case K.WhileStatement:
      case K.DoStatement: condition(node.expression!, ['false']); break
      case K.ForStatement: if (node.condition !== undefined) condition(node.condition, ['false']); break
      case K.Block:
        if ((node.statements ?? []).length > 0) whole(node, 'BlockStatement', '{}')
        break
      case K.ArrowFunction: {
        const body = node.body!
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
        const callee = node.expression!
        if (callee.kind === K.PropertyAccessExpression && callee.name !== undefined) {
          const name = callee.name.getText(sf)
          const swap = methodSwap[name]
          if (swap !== undefined) add(node, 'MethodExpression', callee.name.getStart(sf), callee.name.end, swap)
          if (methodDrop.has(name)) whole(node, 'MethodExpression', callee.expression!.getText(sf))
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

/** Numbers every function-like node of a file in walk order. */
function numberFunctions(ts: TsApi, sf: TsNode): Map<TsNode, number> {
  const K = ts.SyntaxKind
  const kinds = new Set([K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor])
  const m = new Map<TsNode, number>()
  const visit = (n: TsNode): void => {
    if (kinds.has(n.kind) && n.body !== undefined) m.set(n, m.size)
    ts.forEachChild(n, visit)
  }
  ts.forEachChild(sf, visit)
  return m
}

/**
 * The file with a coverage mark at the start of every function body and of the module:
 * `globalThis.__pdCov?.add(key)`, the keys being the mutants' `scope`s. Only the coverage run
 * loads this text; mutants run on the plain file.
 */
export function instrument(ts: TsApi, file: string, text: string): string {
  const K = ts.SyntaxKind
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const mark = (key: string) => `globalThis.__pdCov?.add(${JSON.stringify(key)})`
  const edits: { at: number; s: string }[] = [{ at: 0, s: `${mark(`${file}#m`)};\n` }]
  for (const [fn, i] of numberFunctions(ts, sf)) {
    const body = fn.body!
    const key = `${file}#f${i}`
    if (body.kind === K.Block) edits.push({ at: body.getStart(sf) + 1, s: `${mark(key)};` })
    else {
      edits.push({ at: body.getStart(sf), s: `(${mark(key)}, ` })
      edits.push({ at: body.end, s: ')' })
    }
  }
  // Apply from the end so earlier offsets stay valid; equal offsets keep their push order reversed.
  edits.sort((a, b) => b.at - a.at)
  let t = text
  for (const e of edits) t = t.slice(0, e.at) + e.s + t.slice(e.at)
  return t
}
