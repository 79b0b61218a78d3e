import { describe } from 'node:test';
import { add, exp, gatherElements, logSoftmax, mul, reduceSum, softmax } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('softmax VJPs match central differences (float64)', () => {
  gradTest('Softmax over the last axis', { dtype: 'float64', inputs: [{ name: 'z', shape: [2, 5] }], build: softmax });
  gradTest('LogSoftmax over the last axis', { dtype: 'float64', inputs: [{ name: 'z', shape: [2, 3, 5] }], build: logSoftmax });
  gradTest('LogSoftmax of large logits stays finite', {
    dtype: 'float64',
    inputs: [{ name: 'z', shape: [2, 4], range: [-1, 1] }],
    build: (z) => logSoftmax(mul(z, 60)),
    tolerance: 1e-6,
  });
  gradTest('label log-probs: LogSoftmax then GatherElements', {
    dtype: 'float64',
    inputs: [
      { name: 'logits', shape: [2, 3, 6] },
      { name: 'labels', shape: [2, 3, 1], dtype: 'int64', values: [5, 0, 2, 2, 3, 1] },
    ],
    build: (logits, labels) => gatherElements(logSoftmax(logits), labels, -1),
  });
  gradTest('several labels per row, one of them repeated, picked from the log-probs', {
    dtype: 'float64',
    inputs: [
      { name: 'logits', shape: [2, 5] },
      { name: 'labels', shape: [2, 3], dtype: 'int64', values: [1, 4, 1, 0, 2, 3] },
    ],
    build: (logits, labels) => gatherElements(logSoftmax(logits), labels, -1),
  });
  gradTest('label log-probs and the entropy read the same log-probs (the general LogSoftmax rule)', {
    dtype: 'float64',
    inputs: [
      { name: 'logits', shape: [2, 3, 6] },
      { name: 'labels', shape: [2, 3, 1], dtype: 'int64', values: [5, 0, 2, 2, 3, 1] },
    ],
    build: (logits, labels) => {
      const all = logSoftmax(logits);
      return add(gatherElements(all, labels, -1), reduceSum(mul(exp(all), all), [-1], true));
    },
  });
});
