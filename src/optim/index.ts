/** torch.optim's shape: optimizers and learning-rate schedules. */
export { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export * as lrScheduler from './lr-scheduler.js';
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, OneCycleLR, type OneCycleOptions } from './lr-scheduler.js';
