// The engine's library entry (`require('qrpo-lab/engine')`): the pure math and the dataset readers.
export * from './errors';
export * from './math';
export * from './data';
