/**
 * The architectures the demo can train. Each entry builds the model and cuts it into stages for the
 * Understand and Play views (wt.viz.Stage: conv stages give feature maps, the last conv stage gets
 * the Grad-CAM). A new model of the zoo is one more entry here; `heavyNote` tells the page when an
 * epoch would take too long on this adapter, from the model's multiply-adds (wt.summary).
 */
import * as wt from '../src/index.js';

const F = wt.nn.functional;

export interface ModelChoice {
  id: string;
  label: string;
  about: string;
  /** [1, C, H, W] of one input. */
  inputShape: readonly [1, number, number, number];
  build(): wt.nn.Module;
  stages(model: wt.nn.Module): wt.viz.Stage[];
}

function lenet(id: string, label: string, about: string, options: wt.LeNet5Options): ModelChoice {
  return {
    id,
    label,
    about,
    inputShape: [1, 1, 28, 28],
    build: () => new wt.LeNet5(options),
    stages(model) {
      const m = model as wt.LeNet5;
      const act = (x: wt.Tensor): wt.Tensor => (m.activation === 'relu' ? F.relu(x) : F.tanh(x));
      const pool = (x: wt.Tensor): wt.Tensor => (m.pooling === 'max' ? F.maxPool2d(x, 2) : F.avgPool2d(x, 2));
      return [
        // windows: each stage's convolutions and poolings, for the receptive field of a unit.
        { name: 'conv1', kind: 'conv', run: (x) => act(m.conv1.call(x)), windows: [m.conv1] },
        { name: 'pool1', kind: 'pool', run: pool, windows: [{ kernelSize: 2, pooling: true }] },
        { name: 'conv2', kind: 'conv', run: (x) => act(m.conv2.call(x)), windows: [m.conv2] },
        { name: 'pool2', kind: 'pool', run: pool, windows: [{ kernelSize: 2, pooling: true }] },
        { name: 'classifier', kind: 'head', run: (x) => m.fc3.call(act(m.fc2.call(act(m.fc1.call(wt.flatten(x, 1)))))) },
      ];
    },
  };
}

export const MODELS: readonly ModelChoice[] = [
  lenet('lenet5', 'LeNet-5 (modern)', 'ReLU and max pooling: trains in a few epochs.', { activation: 'relu', pooling: 'max' }),
  lenet('lenet5-classic', 'LeNet-5 (classic, 1998)', 'tanh and average pooling, as in the paper: slower to train.', { activation: 'tanh', pooling: 'avg' }),
];

export function modelById(id: string): ModelChoice {
  const m = MODELS.find((c) => c.id === id);
  if (!m) throw new Error(`No model '${id}' in the demo (${MODELS.map((c) => c.id).join(', ')})`);
  return m;
}

export function staged(choice: ModelChoice, model: wt.nn.Module): wt.viz.StagedModel {
  return { model, stages: choice.stages(model) };
}

/**
 * Training throughput this adapter is assumed to reach, in multiply-adds per second (forward and
 * the two backward products, about 3x the forward's). On SwiftShader in Chromium (bounds checks on)
 * LeNet-5 trains at ~140 images/s on two cores, 0.2 G of those per second; a real GPU is assumed 50x
 * that, conservatively.
 */
function macsPerSecond(adapter: wt.AdapterSummary): number {
  const cpu = adapter.isFallbackAdapter || /swiftshader/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
  return cpu ? 0.2e9 : 10e9;
}

/** A line on the cost of an epoch of `images` on this adapter, and whether it is too heavy (> 15 min). */
export function costNote(choice: ModelChoice, adapter: wt.AdapterSummary, images: number): { text: string; heavy: boolean } {
  const model = choice.build();
  const s = wt.summary(model, [...choice.inputShape]);
  const seconds = (3 * s.totalMacs * images) / macsPerSecond(adapter);
  const heavy = seconds > 15 * 60;
  const time = seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;
  const params = s.totalParams.toLocaleString('en-US');
  const text = `${params} parameters, ${(s.totalMacs / 1e6).toFixed(2)} M multiply-adds per image; about ${time} per epoch on this adapter.`;
  return { text: heavy ? `${text} Too heavy for this adapter: expect a very slow run.` : text, heavy };
}
