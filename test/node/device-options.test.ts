/**
 * Node's device options: shader bounds checks (DeviceOptions.boundsChecks) and their validation.
 * Each device here is a separate Dawn instance; the kernels run the same either way.
 */
import { describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { createDevice } from '../../src/device/device.js';

async function sumOfSquares(device: wt.Device): Promise<number> {
  const x = wt.arange(0, 100, 1, { device }).float();
  return (await x.mul(x).sum().item()) as number;
}

describe('DeviceOptions.boundsChecks (Node)', () => {
  it("'auto' turns them off on SwiftShader only, and the adapter description says so", async () => {
    const device = await createDevice({ boundsChecks: 'auto' });
    const a = device.adapter;
    expect(a.boundsChecks).toBe(!a.isFallbackAdapter);
    expect(wt.describeAdapter(a).includes('bounds checks off')).toBe(!a.boundsChecks);
    expect(await sumOfSquares(device)).toBe(328350);
    device.destroy();
  });

  it('true keeps them on SwiftShader too, with the same results', async () => {
    const device = await createDevice({ boundsChecks: true });
    expect(device.adapter.boundsChecks).toBe(true);
    expect(wt.describeAdapter(device.adapter)).not.toContain('bounds checks off');
    expect(await sumOfSquares(device)).toBe(328350);
    device.destroy();
  });

  it('a bad value is an AdapterError that names the option', async () => {
    await expect(createDevice({ boundsChecks: 'yes' as unknown as boolean })).rejects.toThrow(/boundsChecks must be true, false or 'auto', got yes/);
  });
});
