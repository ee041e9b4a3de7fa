/**
 * `purediff train` keeps training safe: `--resume` continues a run bit-identically (the final
 * checkpoint file is byte for byte the one of a run never stopped) and refuses a run that is
 * not the same (model, optimizer, seed, batch size, patience, data); a folder holding a
 * checkpoint is never overwritten without `--force`; everything that can fail is checked before
 * the first batch (writable folder — also as root —, one output per class, parameter limit,
 * integer flags) and a failed run leaves no empty folder; an exploding loss gets a warning.
 * Subprocesses where the exit code and the one-line stderr matter; the rest in process.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type TrainCommand, trainCommand } from '../../src/cli/train.js'
import { packageVersion } from '../../src/cli/version.js'
import { cli, oneLineError, root, writeProblem, refusal } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-train-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
writeProblem(dir)
const at = (f: string) => join(dir, f)
const base = ['--model', 'model.json', '--optimizer', 'opt.json', '--data', 'data.json', '--batch-size', '16', '--patience', '3']

/** trainCommand in process (absolute paths); resolves to the exit code and what it printed. */
async function train(o: TrainCommand): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = ''
  const code = await trainCommand(
    { model: at('model.json'), optimizer: at('opt.json'), data: at('data.json'), epochs: 2, ...o },
    (s) => {
      out += `${s}\n`
    },
    {
      write: (s: string) => {
        err += s
      },
    },
  )
  return { code, out, err }
}
const refused = (o: TrainCommand): Promise<string> => refusal(() => train(o))

describe('purediff --version', () => {
  it('prints the version of package.json, from the sources and from where the built file would be', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
    const r = cli(dir, '--version')
    expect([r.code, r.stdout]).toEqual([0, `${version}\n`])
    expect(packageVersion(join(root, 'dist', 'src', 'cli', 'main.js'))).toBe(version)
    expect(() => packageVersion('/nonexistent/x/main.js')).toThrow(/cannot find purediff's package\.json/)
  })
})

describe('--resume continues a run bit-identically', () => {
  it('2 epochs, then --resume to 6: the same checkpoint file, byte for byte, as 6 epochs in one go', () => {
    const first = cli(dir, 'train', ...base, '--epochs', '2', '--out', 'a')
    expect(first.code, first.stderr).toBe(0)
    const resumed = cli(dir, 'train', '--resume', 'a', '--epochs', '6') // the stored model, optimizer, data, seed, batch size, patience
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/resuming after epoch 2/)
    expect(resumed.stderr).toMatch(/epoch 3\/6/)
    expect(resumed.stderr).not.toMatch(/epoch 2\/6/)
    const straight = cli(dir, 'train', ...base, '--epochs', '6', '--out', 'b')
    expect(straight.code, straight.stderr).toBe(0)
    expect(readFileSync(at('a/checkpoint.json'), 'utf8')).toBe(readFileSync(at('b/checkpoint.json'), 'utf8'))
  })

  it('refuses a resume that is not the same run, saying what differs', async () => {
    await train({ out: at('r'), epochs: 1, patience: 2 })
    expect(await refused({ resume: at('r'), seed: 7 })).toMatch(/--seed 7 differs from the run in .*r \(seed 0\)/)
    expect(await refused({ resume: at('r'), patience: 5 })).toMatch(/--patience 5 differs .*\(patience 2\)/)
    writeFileSync(at('model16.json'), JSON.stringify({ layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 2 }] }))
    expect(await refused({ resume: at('r'), model: at('model16.json') })).toMatch(/model16\.json is not the model the run in .* was started with \(at layers\.0\.units: 8 vs 16\)/)
    writeFileSync(at('sgd.json'), JSON.stringify({ name: 'sgd', learningRate: 0.05 }))
    expect(await refused({ resume: at('r'), optimizer: at('sgd.json') })).toMatch(/is not the optimizer .* \(at name: "adam" vs "sgd"\)/)
    const data = JSON.parse(readFileSync(at('data.json'), 'utf8')) as { x: number[][]; y: number[] }
    data.x[7][1] += 1e-3
    writeFileSync(at('data2.json'), JSON.stringify(data))
    expect(await refused({ resume: at('r'), data: at('data2.json') })).toMatch(
      /the data of .*data2\.json \(80 rows\) is not the data the run in .* was trained on .*the fingerprints differ/,
    )
    expect(await refused({ resume: at('r'), force: true })).toMatch(/--resume DIR .* or --force .*, not both/)
    expect(await refused({ resume: at('r'), out: at('elsewhere') })).toMatch(/continues the run in .*; drop --out/)
    expect(await refused({ resume: at('nothing-here') })).toMatch(/there is no checkpoint .* to continue/)
    expect(await refused({ resume: at('a'), data: undefined })).toMatch(/the run's data file data\.json \(as stored in .*a\/checkpoint\.json\) is not found from here; pass --data/)
    // the same data under another name is the same data
    writeFileSync(at('copy.json'), readFileSync(at('data.json')))
    expect((await train({ resume: at('r'), data: at('copy.json'), epochs: 2 })).code).toBe(0)
    expect((await train({ resume: at('r'), epochs: 2 })).out).toMatch(/nothing to do: the run in .* has completed 2 of --epochs 2/)
  })

  it("a purediff-cli/2 checkpoint (the CLI's own loop, before it trained through fit) is not resumable, with a clear message", async () => {
    mkdirSync(at('old2'))
    const { saveCheckpoint } = await import('../../src/io/index.js')
    await saveCheckpoint(at('old2/checkpoint.json'), { format: 'purediff-cli/2', epoch: 0, seed: 0, inputs: 3, classes: 2, model: { layers: [] }, params: [], history: {} })
    expect(await refused({ resume: at('old2') })).toMatch(
      /older purediff train, whose loop ordered the rows differently: it cannot be resumed bit for bit \(purediff eval still reads it\); pass --force/,
    )
  })

  it('an old purediff-cli/1 checkpoint is not resumable, with a clear message', async () => {
    mkdirSync(at('old'))
    const { saveCheckpoint } = await import('../../src/io/index.js')
    await saveCheckpoint(at('old/checkpoint.json'), { format: 'purediff-cli/1', epoch: 0, seed: 0, inputs: 3, classes: 2, model: { layers: [] }, params: [], history: {} })
    expect(await refused({ resume: at('old') })).toMatch(/older purediff train, without the optimizer state: it cannot be resumed; pass --force/)
  })
})

describe('no silent overwrite', () => {
  it('a folder holding a checkpoint is refused unless --resume or --force, and the checkpoint is untouched', () => {
    const before = readFileSync(at('a/checkpoint.json'), 'utf8')
    const line = oneLineError(cli(dir, 'train', ...base, '--epochs', '1', '--out', 'a'))
    expect(line).toMatch(/a already holds a checkpoint \(a\/checkpoint\.json\): pass --resume a to continue that run, or --force to start over/)
    expect(readFileSync(at('a/checkpoint.json'), 'utf8')).toBe(before)
    const forced = cli(dir, 'train', ...base, '--epochs', '1', '--seed', '3', '--out', 'a', '--force')
    expect(forced.code, forced.stderr).toBe(0)
    expect(readFileSync(at('a/checkpoint.json'), 'utf8')).not.toBe(before)
  })
})

describe('checks before the first batch', () => {
  it('an output folder that cannot be written (as root too: a path under a regular file) fails at once, in one line, and creates nothing', () => {
    writeFileSync(at('plain-file'), 'x')
    const r = cli(dir, 'train', ...base, '--epochs', '1', '--out', 'plain-file/sub/run')
    expect(oneLineError(r)).toMatch(/cannot create the output folder plain-file\/sub\/run \(ENOTDIR: a part of the path is a file/)
    expect(r.stdout).not.toMatch(/training on/)
    expect(readFileSync(at('plain-file'), 'utf8')).toBe('x')
  })

  it("a folder the probe file cannot be written into fails before training (as root too: a folder is in the probe's way)", async () => {
    mkdirSync(at(`blocked/.purediff-write-test-${process.pid}`), { recursive: true })
    expect(await refused({ out: at('blocked') })).toMatch(/cannot write to the output folder .*blocked \(EISDIR/)
    expect(readdirSync(at('blocked'))).toEqual([`.purediff-write-test-${process.pid}`])
  })

  it('an --out that is a file is refused', async () => {
    expect(await refused({ out: at('plain-file') })).toMatch(/the output folder .*plain-file is a file, not a folder/)
  })

  it('the last layer must have one output per class: said in those words', async () => {
    writeFileSync(at('seven.json'), JSON.stringify({ layers: [{ type: 'dense', units: 7 }] }))
    expect(await refused({ model: at('seven.json'), out: at('seven') })).toMatch(/seven\.json: the model's last layer has 7 outputs but the data \(.*data\.json\) has 2 classes/)
    expect(existsSync(at('seven'))).toBe(false)
  })

  it('a data file\'s "classes" sets the number of classes (a class no row has), and the model must match it', async () => {
    // the 2-class problem declared as 3 classes: a 3-output model trains on its int32 labels
    writeFileSync(at('data3.json'), JSON.stringify({ ...JSON.parse(readFileSync(at('data.json'), 'utf8')), classes: 3 }))
    writeFileSync(at('three.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }] }))
    const r = await train({ model: at('three.json'), data: at('data3.json'), out: at('three') })
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/training on 64 examples \(3 features, 3 classes\)/)
    expect(await refused({ data: at('data3.json'), out: at('two-for-three') })).toMatch(/the model's last layer has 2 outputs but the data \(.*data3\.json\) has 3 classes/)
    writeFileSync(at('data1.json'), JSON.stringify({ ...JSON.parse(readFileSync(at('data.json'), 'utf8')), classes: 1 }))
    expect(await refused({ data: at('data1.json'), out: at('one') })).toMatch(/data1\.json: invalid data at y\.\d+: label 1 of row \d+ is not below classes = 1 \(labels 0 to 0\)/)
  })

  it('--epochs 0, --epochs 0x2, --seed 1e20 are CLI errors giving the accepted range', () => {
    expect(oneLineError(cli(dir, 'train', ...base, '--epochs', '0x2', '--out', 'never'))).toMatch(
      /--epochs needs an integer from 1 to 1,000,000 written in decimal digits, got '0x2'/,
    )
    expect(oneLineError(cli(dir, 'train', ...base, '--epochs', '0', '--out', 'never'))).toMatch(/--epochs needs an integer from 1 to 1,000,000 .*got '0'/)
    expect(oneLineError(cli(dir, 'train', ...base, '--seed', '1e20', '--out', 'never'))).toMatch(/--seed needs an integer from 0 to 4,294,967,295 .*got '1e20'/)
    expect(existsSync(at('never'))).toBe(false)
  })

  it('a tiny model file asking for 10^9 units fails fast, in one line, without taking the memory', () => {
    writeFileSync(at('huge.json'), '{"layers":[{"type":"dense","units":1000000000}]}')
    // a wrapper reports the child's peak resident memory (portable: no /usr/bin/time)
    const rssFile = at('rss.txt')
    const wrapper = at('rss.mjs')
    writeFileSync(
      wrapper,
      `import { writeFileSync } from 'node:fs'\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\nprocess.argv.splice(1, 1)\nawait import(${JSON.stringify(new URL(`file://${join(root, 'src', 'cli', 'main.ts')}`).href)})\n`,
    )
    const r = cli(dir, 'train', '--model', 'huge.json', '--optimizer', 'opt.json', '--data', 'data.json', '--out', 'huge')
    expect(oneLineError(r)).toMatch(/huge\.json: .*(layers\.0\.units|parameters)/)
    expect(existsSync(at('huge'))).toBe(false)
    const w = spawnSync(
      join(root, 'node_modules', '.bin', 'tsx'),
      [wrapper, 'main', 'train', '--model', 'huge.json', '--optimizer', 'opt.json', '--data', 'data.json', '--out', 'huge'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    )
    expect(w.status).not.toBe(0)
    const mb = Number(readFileSync(rssFile, 'utf8')) / 1024
    expect(mb).toBeGreaterThan(0)
    expect(mb).toBeLessThan(1024) // MB: 10^9 float32 weights alone would be 4,000
  })

  it('--max-params refuses a model with more parameters, giving the count', async () => {
    // 3·8 + 8 + 8·2 + 2 = 50 parameters
    expect(await refused({ maxParams: 49, out: at('small') })).toMatch(/would create 50 parameters, more than maxParams = 49.*--max-params 50/)
    expect((await train({ maxParams: 50, out: at('small'), epochs: 1 })).code).toBe(0)
  })
})

describe('failing and warning', () => {
  it('a run that diverges in its first epoch fails in one line and leaves no empty folders behind', async () => {
    writeFileSync(at('wild.json'), JSON.stringify({ name: 'sgd', learningRate: 1e38 }))
    const message = await refused({ optimizer: at('wild.json'), out: at('wild/nested/run'), patience: undefined })
    expect(message).toMatch(/train: epoch 1: the (training loss became (NaN|-?Infinity) at batch \d+|validation loss became (NaN|-?Infinity)).*; no checkpoint was saved/)
    expect(existsSync(at('wild'))).toBe(false)
  })

  it('a loss that explodes without going non-finite gets a warning line', async () => {
    // one dense layer: each step moves the weights by at most 1e26·|x|, so the logits reach ~1e26, finite in float32
    writeFileSync(at('hot.json'), JSON.stringify({ name: 'sgd', learningRate: 1e26 }))
    writeFileSync(at('linear.json'), JSON.stringify({ layers: [{ type: 'dense', units: 2 }] }))
    const r = await train({ model: at('linear.json'), optimizer: at('hot.json'), out: at('hot'), epochs: 3 })
    expect(r.code).toBe(0)
    const warnings = r.err.split('\n').filter((l) => l.startsWith('purediff: warning:'))
    expect(warnings).toHaveLength(1) // once per run
    expect(warnings[0]).toMatch(/the training loss \S+ is over 100 times that of a uniform guess \(0\.69\): training is diverging; lower the learning rate/)
    expect(readdirSync(at('hot'))).toEqual(['checkpoint.json'])
  })
})
