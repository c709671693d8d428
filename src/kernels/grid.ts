/** Dispatch-size helpers shared by the kernel wrappers. */

/** Workgroup counts covering `count` items at `perGroup` each, split over x and y past the x limit. */
export function grid1d(count: number, perGroup: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.ceil(count / perGroup);
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  const x = Math.ceil(groups / y);
  return [x, y, 1];
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
