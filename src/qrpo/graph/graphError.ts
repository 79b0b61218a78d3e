// The error a graph builder or autodiff throws for a graph it cannot build or differentiate: mismatched shapes or
// dtypes, an op without a gradient rule on the path to a loss. Names the op and tensors involved.
import { QrpoError } from '../errors';

export class GraphError extends QrpoError {}
