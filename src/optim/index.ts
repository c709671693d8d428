/** torch.optim's shape: optimizers and learning-rate schedules. */
export { Optimizer, type ParamGroup, type ParamsArg, type OptimizerStateDict, type StateValue } from './optimizer.js';
export { SGD, type SgdOptions, type SgdState, type SgdArgs } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamState, type AdamArgs } from './adam.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LambdaLR,
  OneCycleLR,
  type SchedulerStateDict,
  type LastEpochOption,
  type StepLROptions,
  type MultiStepLROptions,
  type ExponentialLROptions,
  type CosineAnnealingLROptions,
  type LambdaLROptions,
  type LrLambda,
  type OneCycleOptions,
} from './lr-scheduler.js';
