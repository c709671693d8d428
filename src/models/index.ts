/** The model zoo. */
export { LeNet5, type LeNet5Options } from './lenet.js';
