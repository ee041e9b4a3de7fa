/**
 * Nested transforms against closed forms: perturbation confusion, repeated derivatives,
 * Hessians, Hessian-vector products, jvp against vjp. All in float64.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Tensor,
  add,
  cos,
  dot,
  exp,
  grad,
  hessian,
  item,
  jacobian,
  jvp,
  logSumExp,
  matmul,
  mul,
  scalar,
  sin,
  softmax,
  square,
  stopGradient,
  sub,
  sum,
  tensor,
  toArray,
  toFlatArray,
  transpose,
  valueAndGrad,
  vjp,
  fromArray,
  customVjp,
  pow,
  tanh,
} from '../../src/index.js'

const f64 = (x: number) => scalar(x, 'float64')
const x64 = fc.double({ min: -3, max: 3, noNaN: true })
const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * (1 + Math.abs(b))
const vec = (n: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n })

describe('perturbation confusion is impossible', () => {
  it('d/dx [x · d/dy (x + y)] = 1 (Siskind & Pearlmutter)', () => {
    fc.assert(
      fc.property(x64, x64, (x0, y0) => {
        const f = (x: Tensor) => mul(x, grad((y: Tensor) => add(x, y))(f64(y0)))
        // d/dy (x + y) = 1, so the outer function is x·1 and its derivative 1 — not 2.
        return item(grad(f)(f64(x0))) === 1
      }),
      { numRuns: 100 },
    )
  })

  it('d/dx [x · d/dy (x · y)] = 2x (the inner gradient depends on the outer variable)', () => {
    fc.assert(
      fc.property(x64, x64, (x0, y0) => {
        const f = (x: Tensor) => mul(x, grad((y: Tensor) => mul(x, y))(f64(y0)))
        return close(item(grad(f)(f64(x0))), 2 * x0)
      }),
      { numRuns: 100 },
    )
  })

  it('a jvp inside a grad keeps its own perturbation: d/dx [x · jvp(y ↦ x·y)(1; 1)] = 2x', () => {
    fc.assert(
      fc.property(x64, (x0) => {
        const f = (x: Tensor) => mul(x, jvp((y: Tensor) => mul(x, y), [f64(1)], [f64(1)])[1])
        return close(item(grad(f)(f64(x0))), 2 * x0)
      }),
      { numRuns: 50 },
    )
  })
})

describe('repeated derivatives', () => {
  it('the derivatives of sin cycle: cos, −sin, −cos, sin', () => {
    const d1 = grad((x: Tensor) => sin(x))
    const d2 = grad(d1 as (x: Tensor) => Tensor)
    const d3 = grad(d2 as (x: Tensor) => Tensor)
    const d4 = grad(d3 as (x: Tensor) => Tensor)
    fc.assert(
      fc.property(x64, (x) => {
        const t = f64(x)
        return close(item(d1(t)), Math.cos(x)) && close(item(d2(t)), -Math.sin(x)) && close(item(d3(t)), -Math.cos(x)) && close(item(d4(t)), Math.sin(x))
      }),
      { numRuns: 100 },
    )
  })

  it('d³/dx³ of x⁵ is 60x²', () => {
    const d3 = grad(grad(grad((x: Tensor) => pow(x, 5)) as (x: Tensor) => Tensor) as (x: Tensor) => Tensor)
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 2, noNaN: true }), (x) => close(item(d3(f64(x))), 60 * x * x, 1e-10)),
      { numRuns: 50 },
    )
  })

  it('tanh″ = −2 tanh (1 − tanh²)', () => {
    const d2 = grad(grad((x: Tensor) => tanh(x)) as (x: Tensor) => Tensor)
    fc.assert(
      fc.property(x64, (x) => {
        const t = Math.tanh(x)
        return close(item(d2(f64(x))), -2 * t * (1 - t * t))
      }),
      { numRuns: 50 },
    )
  })
})

describe('hessian against closed forms', () => {
  it('f(x) = xᵀ A x has H = A + Aᵀ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(vec(n * n), vec(n), fc.constant(n))),
        ([a, x, n]) => {
          const A = fromArray(a, [n, n], 'float64')
          const H = toArray(hessian((v: Tensor) => dot(v, matmul(A, v)))(fromArray(x, [n], 'float64'))) as number[][]
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (!close(H[i][j], a[i * n + j] + a[j * n + i])) return false
          return true
        },
      ),
      { numRuns: 50 },
    )
  })

  it('f(x) = Σ exp(xᵢ) has H = diag(exp x)', () => {
    fc.assert(
      fc.property(vec(3), (x) => {
        const H = toArray(hessian((v: Tensor) => sum(exp(v)))(fromArray(x, [3], 'float64'))) as number[][]
        return H.every((r, i) => r.every((h, j) => close(h, i === j ? Math.exp(x[i]) : 0)))
      }),
      { numRuns: 50 },
    )
  })

  it('f(x) = logSumExp(x) has H = diag(p) − p pᵀ with p = softmax(x)', () => {
    fc.assert(
      fc.property(vec(4), (x) => {
        const t = fromArray(x, [4], 'float64')
        const p = toFlatArray(softmax(t))
        const H = toArray(hessian((v: Tensor) => logSumExp(v))(t)) as number[][]
        return H.every((r, i) => r.every((h, j) => close(h, (i === j ? p[i] : 0) - p[i] * p[j], 1e-12)))
      }),
      { numRuns: 50 },
    )
  })

  it('Rosenbrock f = (1 − x)² + 100 (y − x²)² at a point: H = [[2 − 400(y − 3x²), −400x], [−400x, 200]]', () => {
    fc.assert(
      fc.property(x64, x64, (x, y) => {
        const f = (v: Tensor) => {
          const [a, b] = [sum(mul(v, tensor([1, 0], 'float64'))), sum(mul(v, tensor([0, 1], 'float64')))]
          return add(square(sub(1, a)), mul(100, square(sub(b, square(a)))))
        }
        const H = toArray(hessian(f)(tensor([x, y], 'float64'))) as number[][]
        const want = [
          [2 - 400 * (y - 3 * x * x), -400 * x],
          [-400 * x, 200],
        ]
        return H.every((r, i) => r.every((h, j) => close(h, want[i][j], 1e-11)))
      }),
      { numRuns: 50 },
    )
  })

  it('pytree hessian: {a, b} ↦ a²b has blocks [[2b, 2a], [2a, 0]]', () => {
    const H = hessian((p: { a: Tensor; b: Tensor }) => mul(square(p.a), p.b))({ a: f64(3), b: f64(5) })
    expect([item(H.a.a), item(H.a.b), item(H.b.a), item(H.b.b)]).toEqual([10, 6, 6, 0])
  })
})

describe('jvp, vjp and jacobian agree', () => {
  it('Hessian-vector product by forward-over-reverse equals H·v', () => {
    fc.assert(
      fc.property(vec(3), vec(3), (x, v) => {
        const f = (t: Tensor) => sum(mul(sin(t), exp(t)))
        const xt = fromArray(x, [3], 'float64')
        const [, hv] = jvp(grad(f), [xt], [fromArray(v, [3], 'float64')])
        const H = toArray(hessian(f)(xt)) as number[][]
        const want = H.map((r) => r.reduce((s, h, j) => s + h * v[j], 0))
        return toFlatArray(hv).every((h, i) => close(h, want[i], 1e-12))
      }),
      { numRuns: 50 },
    )
  })

  it('the jacobian of x ↦ A·x is A and of x ↦ sin(x) is diag(cos x)', () => {
    const A = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'float64',
    )
    expect(toArray(jacobian((x: Tensor) => matmul(A, x))(tensor([1, 1, 1], 'float64')))).toEqual(toArray(A))
    const J = toArray(jacobian((x: Tensor) => sin(x))(tensor([0.5, 1], 'float64'))) as number[][]
    expect(J).toEqual([
      [Math.cos(0.5), 0],
      [0, Math.cos(1)],
    ])
  })

  it('the pullback can be called many times and is linear', () => {
    const A = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      'float64',
    )
    const [y, pb] = vjp((x: Tensor) => matmul(A, x), tensor([1, 1], 'float64'))
    expect(toFlatArray(y)).toEqual([3, 7])
    // Jᵀu = Aᵀu
    expect(toFlatArray(pb(tensor([1, 0], 'float64')))).toEqual([1, 2])
    expect(toFlatArray(pb(tensor([0, 1], 'float64')))).toEqual([3, 4])
    expect(toFlatArray(pb(tensor([1, 0], 'float64')))).toEqual([1, 2])
    expect(toArray(transpose(A))).toEqual([
      [1, 3],
      [2, 4],
    ])
  })

  it('forward over forward: jvp of jvp gives the second derivative, −sin x', () => {
    fc.assert(
      fc.property(x64, (x) => {
        const d1 = (t: Tensor) => jvp(sin, [t], [f64(1)])[1]
        const [first, second] = jvp(d1, [f64(x)], [f64(1)])
        return close(item(first), Math.cos(x)) && close(item(second), -Math.sin(x))
      }),
      { numRuns: 50 },
    )
  })

  it('jvp through a function with no path from the input gives a zero tangent of the output dtype', () => {
    const [y, t] = jvp((_x: Tensor) => tensor([1, 2], 'float64'), [f64(3)], [f64(1)])
    expect([toFlatArray(y), toFlatArray(t), t.dtype]).toEqual([[1, 2], [0, 0], 'float64'])
  })

  it('grad of a jvp: d/dx [jvp(sin)(x; 1)] = −sin x', () => {
    fc.assert(
      fc.property(x64, (x) => {
        const g = grad((t: Tensor) => jvp(sin, [t], [f64(1)])[1])(f64(x))
        return close(item(g), -Math.sin(x))
      }),
      { numRuns: 50 },
    )
  })
})

describe('stopGradient and customVjp under nesting', () => {
  it('stopGradient blocks every level: d²/dx² [x² · stop(x)] = 2·stop(x)', () => {
    const f = (x: Tensor) => mul(square(x), stopGradient(x))
    expect(item(grad(grad(f) as (x: Tensor) => Tensor)(f64(3)))).toBe(6)
    expect(item(grad(f)(f64(3)))).toBe(18)
  })

  it('customVjp uses bwd for the gradient, and bwd is differentiated for the second order', () => {
    // f(x) = x³ with a correct hand-written rule 3x²·g: second derivative 6x.
    const cube = customVjp(
      (x: Tensor) => mul(x, square(x)),
      (x: Tensor) => [mul(x, square(x)), x] as const,
      (x: Tensor, g: Tensor) => [mul(g, mul(3, square(x)))],
    )
    expect(item(grad(cube)(f64(2)))).toBe(12)
    expect(item(grad(grad(cube) as (x: Tensor) => Tensor)(f64(2)))).toBe(12)
    // A rule that differs from the true derivative proves the rule is what runs.
    const fake = customVjp(
      (x: Tensor) => sin(x),
      (x: Tensor) => [sin(x), null] as const,
      (_r: null, g: Tensor) => [mul(g, 7)],
    )
    expect(item(grad(fake)(f64(1)))).toBe(7)
  })

  it('valueAndGrad returns the value with the gradient', () => {
    const [v, g] = valueAndGrad((x: Tensor) => sum(cos(x)))(tensor([0, 1], 'float64'))
    expect(item(v)).toBe(1 + Math.cos(1))
    expect(toFlatArray(g)).toEqual([-0, -Math.sin(1)])
  })
})
