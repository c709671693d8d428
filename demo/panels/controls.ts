/** Hyper-parameters, Start/Stop and a one-line status of the run. */
import { card, el, fmt, type Panel, type RunConfig, type RunEnd, type RunEpoch, type RunInfo, type RunStep } from '../panel.js';

interface Field {
  key: keyof RunConfig;
  label: string;
  min: number;
  max: number;
  /** 'any' where a value need not be a multiple of a step (the learning rate). */
  step: number | 'any';
  value: number;
  hint: string;
}

const FIELDS: Field[] = [
  { key: 'epochs', label: 'Epochs', min: 1, max: 50, step: 1, value: 3, hint: 'passes over the 8,000 training digits' },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 1024, step: 1, value: 64, hint: 'digits per step' },
  { key: 'lr', label: 'Learning rate', min: 0.00001, max: 1, step: 'any', value: 0.01, hint: 'peak of the one-cycle schedule (Adam)' },
];

export class ControlsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'side';
  /** Set by main.ts. */
  onStart: (config: RunConfig) => void = () => {};
  onStop: () => void = () => {};
  private readonly inputs = new Map<keyof RunConfig, HTMLInputElement>();
  private readonly startButton = el('button', 'button primary', 'Start training');
  private readonly stopButton = el('button', 'button', 'Stop');
  private readonly statusLine = el('p', 'status');
  private ready = false;
  private heldOut: number | null = null;
  private stopping = false;

  constructor() {
    const { root, body } = card('Training', 'controls');
    this.root = root;
    const form = el('form', 'controls');
    for (const f of FIELDS) {
      const label = el('label', 'field');
      const name = el('span', 'field-name', f.label);
      const input = el('input');
      Object.assign(input, { type: 'number', name: f.key, id: `input-${f.key}`, min: String(f.min), max: String(f.max), step: String(f.step), value: String(f.value), required: true });
      label.title = f.hint;
      label.append(name, input, el('span', 'field-hint', f.hint));
      form.append(label);
      this.inputs.set(f.key, input);
    }
    this.startButton.type = 'submit';
    this.startButton.id = 'start';
    this.stopButton.type = 'button';
    this.stopButton.id = 'stop';
    const buttons = el('div', 'buttons');
    buttons.append(this.startButton, this.stopButton);
    form.append(buttons);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!form.reportValidity()) return;
      this.onStart(this.config());
    });
    this.stopButton.addEventListener('click', () => {
      this.stopping = true;
      this.stopButton.disabled = true;
      this.onStop();
    });
    this.statusLine.id = 'status';
    body.append(form, this.statusLine);
    this.setIdle(false, 'Starting WebGPU…');
  }

  /** Enables Start once the device and the data are ready (or disables it for good on failure). */
  setIdle(ready: boolean, status: string): void {
    this.ready = ready;
    this.startButton.disabled = !ready;
    this.stopButton.disabled = true;
    for (const input of this.inputs.values()) input.disabled = !ready;
    this.status(status);
  }

  status(text: string): void {
    this.statusLine.textContent = text;
  }

  private config(): RunConfig {
    const v = (k: keyof RunConfig): number => Number(this.inputs.get(k)!.value);
    return { epochs: v('epochs'), batchSize: v('batchSize'), lr: v('lr') };
  }

  runStarted(run: RunInfo): void {
    this.heldOut = null;
    this.stopping = false;
    this.startButton.disabled = true;
    this.stopButton.disabled = false;
    for (const input of this.inputs.values()) input.disabled = true;
    this.status(`Preparing the GPU kernels for ${fmt.int(run.totalSteps)} steps…`);
  }

  step(s: RunStep): void {
    // Stop is off while the held-out digits are scored between epochs, and after it was pressed.
    this.stopButton.disabled = this.stopping;
    if (!this.stopping) this.status(`Training: epoch ${s.epoch} of ${s.epochs}, step ${s.step} of ${s.stepsPerEpoch}.`);
  }

  evaluating(run: RunInfo): void {
    this.stopButton.disabled = true;
    this.status(`Scoring the model on the ${fmt.int(run.heldOutCount)} held-out digits…`);
  }

  epochEnded(e: RunEpoch): void {
    this.heldOut = e.testAccuracy;
  }

  runEnded(end: RunEnd): void {
    if (!this.ready) return;
    const what = end.reason === 'finished' ? 'Finished' : end.reason === 'stopped' ? 'Stopped' : 'Failed';
    const score = end.reason !== 'failed' && this.heldOut !== null ? ` Held-out accuracy ${fmt.pct(this.heldOut)}.` : '';
    this.setIdle(true, `${what} after ${fmt.seconds(end.seconds)}.${score}`);
  }
}
