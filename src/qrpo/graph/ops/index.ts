// Every op builder, one import for model code.
export * from './arithmetic';
export * from './elementwise';
export * from './matmul';
export * from './layout';
export * from './reduce';
export * from './gather';
export * from './softmax';
export * from './select';
export * from './slicing';
export * from './normalization';
export * from './activations';
export * from './cast';
export * from './custom';
export type { Operand } from './operands';
export * from './compare';
export * from './sequence';
export * from './piecewise';
