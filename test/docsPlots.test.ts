/**
 * The docs' image grid (`imagesSpec` of docs/examples/plot.ts), the one plot kind the guide
 * pages have that the recipe's line charts and histograms do not: each image is min–max scaled
 * on its own, and the rendered SVG has one grey cell per pixel, white at the image's lowest value
 * and black at its highest.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { imagesSpec, pixels } from '../docs/examples/plot.js'
import { renderSvg } from '../docs/scripts/examples.js'

describe('imagesSpec', () => {
  it('scales each image to [0, 1] on its own; a constant image is mid-grey', () => {
    // [[0, 2], [4, 1]]: (x − 0) / (4 − 0) = [0, 0.5, 1, 0.25]; [[-3, -3]] is constant
    const p = pixels([
      {
        name: 'a',
        pixels: [
          [0, 2],
          [4, 1],
        ],
      },
      { name: 'b', pixels: [[-3, -3]] },
    ])
    expect(p).toEqual([
      { image: 'a', row: 0, col: 0, v: 0 },
      { image: 'a', row: 0, col: 1, v: 0.5 },
      { image: 'a', row: 1, col: 0, v: 1 },
      { image: 'a', row: 1, col: 1, v: 0.25 },
      { image: 'b', row: 0, col: 0, v: 0.5 },
      { image: 'b', row: 0, col: 1, v: 0.5 },
    ])
  })

  it('is invariant to the affine rescaling a·x + b (a > 0) of an image', () => {
    fc.assert(
      fc.property(
        // integers, so a·x + b is exact (doubles can underflow: 0.5 · −5e-324 = 0 merges two values)
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: -50, max: 50 }),
        (row, a, b) => {
          const v = pixels([{ name: 'x', pixels: [row] }]).map((q) => q.v)
          const w = pixels([{ name: 'x', pixels: [row.map((x) => a * x + b)] }]).map((q) => q.v)
          for (let i = 0; i < v.length; i++) expect(Math.abs(v[i] - w[i])).toBeLessThan(1e-9)
          for (const x of v) expect(x >= 0 && x <= 1).toBe(true)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('renders one grey cell per pixel: white at the lowest value, black at the highest, darker as the value grows', async () => {
    const svg = await renderSvg(
      imagesSpec(
        'two images',
        [
          {
            name: 'a',
            pixels: [
              [0, 2],
              [4, 1],
            ],
          },
          { name: 'b', pixels: [[5, 6, 7]] },
        ],
        { columns: 2 },
      ),
    )
    const cells = [...svg.matchAll(/<path d="M[^"]*" fill="rgb\((\d+), (\d+), (\d+)\)"\/>/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])])
    expect(cells.length).toBe(4 + 3)
    for (const [r, g, b] of cells) expect(r === g && g === b).toBe(true) // grey
    // image a in row-major order: v = 0, 0.5, 1, 0.25; image b: 0, 0.5, 1
    const a = cells.slice(0, 4).map((c) => c[0])
    expect(a[0]).toBe(255)
    expect(a[2]).toBe(0)
    expect(a[0] > a[3] && a[3] > a[1] && a[1] > a[2]).toBe(true)
    expect(cells.slice(4).map((c) => c[0])).toEqual([a[0], a[1], a[2]])
    expect(svg).toContain('>two images<')
  })
})
