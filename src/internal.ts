/**
 * The internal entry, for this repository's tests and benchmarks only (not in the package's
 * exports): the public API plus the op definitions (`ops`: canRunConv, legacyReduction ...) and the
 * engine (`engineFor(device)`: stats, lastPlan, tuning knobs), which are not public API.
 */
export * from './index.js';
export * as ops from './ops/index.js';
export { engineFor } from './graph/engine.js';
