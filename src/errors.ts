/**
 * Every error webtrain throws is a WebtrainError. Subclasses say what went wrong; messages name the
 * op or layer (`where`) and, where it applies, the expected and the received values.
 */
export class WebtrainError extends Error {
  override name = 'WebtrainError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A tensor shape, dtype or argument does not fit the op. */
export class ShapeError extends WebtrainError {
  override name = 'ShapeError';
}

/** A hyper-parameter or option is out of its allowed range. */
export class ArgumentError extends WebtrainError {
  override name = 'ArgumentError';
}

/** No WebGPU adapter could be found, or the device could not be created. */
export class AdapterError extends WebtrainError {
  override name = 'AdapterError';
}

/** The GPU device was lost (driver reset, tab backgrounded too long, destroy()). */
export class DeviceLostError extends WebtrainError {
  override name = 'DeviceLostError';
}

/** A WebGPU validation error, attributed to the op whose kernels raised it. */
export class GPUValidationError extends WebtrainError {
  override name = 'GPUValidationError';
}

/** The GPU ran out of memory while running an op. */
export class GPUOutOfMemoryError extends WebtrainError {
  override name = 'GPUOutOfMemoryError';
}

/** A WGSL shader failed to compile; the message carries file, line and column. */
export class ShaderCompileError extends WebtrainError {
  override name = 'ShaderCompileError';
}

/** A file (weights, dataset, checkpoint) is corrupt or does not match what was expected. */
export class FileFormatError extends WebtrainError {
  override name = 'FileFormatError';
}

/** A tensor's value is no longer available (disposed, or overwritten in place). */
export class TensorStateError extends WebtrainError {
  override name = 'TensorStateError';
}

/** Formats a shape for messages: [64, 1, 28, 28]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Prefixes a message with the op and, if known, the layer path: "conv2d (features.0): ...". */
export function where(op: string, layer?: string | undefined): string {
  return layer ? `${op} (${layer})` : op;
}
