/** Every op, for Tensor's methods and the functional namespace. */
export * from './activation.js';
export * from './conv.js';
export * from './elementwise.js';
export * from './fill.js';
export * from './loss.js';
export * from './matmul.js';
export * from './pool.js';
export * from './reduce.js';
export * from './shape.js';
