/**
 * The recording context ops read when they record a node: whether autograd tracks new values
 * (noGrad / withGrad), and the module path of the layer being run (inLayer), which errors and
 * kernel labels name. Process-wide state of the JavaScript call stack, not of any device, so it
 * sits below everything that records (tensor, ops, nn, train) and the argument helpers.
 */

let gradEnabled = true;
const layerStack: string[] = [];

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with autograd recording off (like torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn);
}

/** Runs fn with autograd recording on or off. */
export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs fn with `path` as the current layer, so errors and kernel labels name it. */
export function inLayer<T>(path: string, fn: () => T): T {
  layerStack.push(path);
  try {
    return fn();
  } finally {
    layerStack.pop();
  }
}

export function currentLayer(): string | undefined {
  return layerStack.length > 0 ? layerStack[layerStack.length - 1] : undefined;
}
