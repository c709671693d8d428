/**
 * WebGPU flag values from the spec, so the library does not depend on the GPUBufferUsage /
 * GPUMapMode globals (Node's `webgpu` package does not install them on globalThis).
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;

/** Usage of every tensor buffer: bound as storage, copied in and out. */
export const TENSOR_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
/** Usage of readback staging buffers. */
export const STAGING_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;
