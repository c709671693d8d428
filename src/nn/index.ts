/** torch.nn's shape: modules, parameters, init, and the functional namespace. */
export { Module, Parameter, torchName, type StateDict, type LoadResult } from './module.js';
export * from './layers.js';
export * from './conv.js';
export * from './padding.js';
export * from './activation.js';
export * from './loss.js';
export * from './norm.js';
export * from './pooling.js';
export * from './dropout.js';
export * as init from './init.js';
export * as functional from './functional.js';
