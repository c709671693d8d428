/**
 * The default device: the one piece of global state. `init()` creates it; tensors made without an
 * explicit device use it.
 */
import { WebtrainError } from '../errors.js';
import { createDevice, type Device, type DeviceOptions } from './device.js';

let current: Device | null = null;
let pending: Promise<Device> | null = null;

/**
 * Gets a ready WebGPU device (browser: navigator.gpu; Node: the `webgpu` package, with the
 * SwiftShader CPU adapter where there is no GPU) and makes it the default. Calling it again
 * returns the same device unless it was lost or destroyed.
 */
export async function init(options: DeviceOptions = {}): Promise<Device> {
  if (current && !current.lost) return current;
  if (!pending) {
    pending = createDevice(options).then(
      (d) => {
        current = d;
        pending = null;
        return d;
      },
      (e: unknown) => {
        pending = null;
        throw e;
      },
    );
  }
  return pending;
}

export function defaultDevice(): Device {
  if (!current) {
    throw new WebtrainError('No webtrain device yet: call `await webtrain.init()` before creating tensors.');
  }
  return current;
}

/** Makes `device` the default (or clears it with null). */
export function setDefaultDevice(device: Device | null): void {
  current = device;
}
