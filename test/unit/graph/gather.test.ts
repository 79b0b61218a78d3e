import { describe } from 'node:test';
import { gather, gatherElements, matmul, transpose } from '../../../src/qrpo/graph';
import { gradTest } from './gradcheck';

describe('gather VJPs match central differences (float64)', () => {
  gradTest('Gather embedding rows: repeated ids accumulate (ScatterND add)', {
    dtype: 'float64',
    inputs: [
      { name: 'table', shape: [5, 3] },
      { name: 'ids', shape: [2, 3], dtype: 'int64', values: [4, 1, 4, 0, 4, 2] },
    ],
    build: (table, ids) => gather(table, ids),
  });
  gradTest("a tied embedding's head gradient and lookup scatter-add meet in one buffer", {
    dtype: 'float64',
    inputs: [
      { name: 'table', shape: [5, 3] },
      { name: 'ids', shape: [2, 3], dtype: 'int64', values: [4, 1, 4, 0, 4, 2] },
    ],
    build: (table, ids) => matmul(gather(table, ids), transpose(table)),
  });
  gradTest('GatherElements picks labels along the vocabulary axis (ScatterElements add)', {
    dtype: 'float64',
    inputs: [
      { name: 'logits', shape: [2, 3, 5] },
      { name: 'labels', shape: [2, 3, 1], dtype: 'int64', values: [0, 4, 4, 2, 1, 3] },
    ],
    build: (logits, labels) => gatherElements(logits, labels, -1),
  });
  gradTest('GatherElements with an index repeated along the gathered axis', {
    dtype: 'float64',
    inputs: [
      { name: 'x', shape: [2, 3] },
      { name: 'index', shape: [2, 4], dtype: 'int64', values: [0, 0, 2, 0, 1, 1, 1, 2] },
    ],
    build: (x, index) => gatherElements(x, index, 1),
  });
});
