// Fashion-MNIST (Debian's dataset-fashion-mnist, installed by .ci/run) through the real-data pipeline's data layer:
// `phaseflow mnist --data DIR --classes 0,1` gets the unbalanced generative set and the balanced oracle set of
// T-shirts/tops (class A, 80 %) and trousers, padded to 32 x 32 in [-1, 1] (README, "Fashion-MNIST"). Skips without
// the package outside CI; in CI (CI=true) a missing package fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseArgs } from '../../src/cli/args.js';
import { configFromFlags } from '../../src/realdata/cliOptions.js';
import { mnistCommand } from '../../src/cli/commands/mnist.js';
import { generativeDataset, oracleDataset, describeDataset } from '../../src/realdata/dataset.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

test(
  'Fashion-MNIST: mnist --data --classes 0,1 reads the IDX files into the unbalanced and the balanced sets',
  { skip: !existsSync(FASHION) && !process.env.CI && 'dataset-fashion-mnist is not installed (.ci/run installs it)' },
  () => {
    const c = configFromFlags(
      parseArgs(['--scale', 'quick', '--data', FASHION, '--classes', '0,1'], mnistCommand.flags).values,
    );
    assert.equal(c.data.dir, FASHION);
    assert.equal(c.data.classA, 0);
    assert.equal(c.data.classB, 1);
    // 6000 images per class in the train split: all 6000 T-shirts and 1500 trousers (80 %), 10 % of each held out.
    const d = generativeDataset(c.data);
    const info = describeDataset(d, c.data);
    assert.deepEqual(info.train, { n: 6750, classA: 5400, classB: 1350 });
    assert.deepEqual(info.heldOut, { n: 750, classA: 600, classB: 150 });
    assert.equal(d.size, 16, 'the quick scale averages 32 x 32 down to 16 x 16');
    assert.equal(d.train.x.length, 6750 * 16 * 16);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of d.train.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.ok(lo >= -1 && hi <= 1 && hi > 0.9, `${lo} .. ${hi}`);
    const o = describeDataset(oracleDataset(c.data), c.data);
    assert.deepEqual(o.train, { n: 10800, classA: 5400, classB: 5400 });
    const std = generativeDataset({ ...c.data, resolution: 32 });
    assert.equal(std.size, 32);
    assert.equal(std.test.n, 750, 'the standard scale has 150 distinct held-out trousers, its 150 starts per class');
  },
);
