/** Element types of tensors, and their size in GPU buffers (bool is stored as a 32-bit word). */
export type DType = 'float32' | 'int32' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 4 };
