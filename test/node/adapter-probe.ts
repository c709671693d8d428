/**
 * A child process of vulkan-loader.test.ts: creates the default device as a user's own Node
 * program would (`wt.init()`), runs a small training step on it, and prints one JSON line: the
 * adapter line, the Vulkan loader found, the libvulkan.so.1 actually mapped into this process
 * (/proc/self/maps, read after Dawn has started), and the losses. An error prints its name and
 * message instead and exits 1.
 *
 *   node scripts/vite-run.mjs test/node/adapter-probe.ts
 */
import * as wt from '../../src/index.js';
import { loadedVulkanLoader } from '../../src/device/node-gpu.js';

try {
  const device = await wt.init();
  wt.manualSeed(0);
  const model = new wt.nn.Sequential(new wt.nn.Conv2d(1, 4, 3), new wt.nn.ReLU(), new wt.nn.Flatten(), new wt.nn.Linear(4 * 6 * 6, 3));
  const opt = new wt.optim.SGD(model.parameters(), { lr: 0.1 });
  const x = wt.randn(8, 1, 8, 8);
  const y = wt.randint(0, 3, [8]);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = wt.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
    losses.push((await loss.item()) as number);
  }
  console.log(JSON.stringify({ adapter: wt.describeAdapter(device.adapter), loader: device.adapter.vulkanLoader ?? null, mapped: await loadedVulkanLoader(), losses }));
} catch (e) {
  const err = e as Error;
  console.log(JSON.stringify({ error: err.name, message: err.message }));
  process.exitCode = 1;
}
