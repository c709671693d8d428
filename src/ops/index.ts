/** Every op, for Tensor's methods and the functional namespace. */
export * from './activation.js';
export * from './concat.js';
export * from './conv.js';
export * from './dropout.js';
export * from './elementwise.js';
export * from './fill.js';
export * from './loss.js';
export * from './matmul.js';
export * from './norm.js';
export * from './pad.js';
export * from './pool.js';
export * from './reduce.js';
export * from './shape.js';
export * from './slice.js';
export * from './softmax.js';
export * from './topk.js';
export * from './where.js';
