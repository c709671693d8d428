/** The run's settings, Start / Pause / Resume / Stop, and a one-line status of the run. */
import { MODELS } from '../models.js';
import { button, card, el, fmt, type Panel, type RunConfig, type RunEnd, type RunEpoch, type RunInfo, type RunStep } from '../panel.js';

interface NumberField {
  key: 'epochs' | 'batchSize' | 'lr';
  label: string;
  min: number;
  max: number;
  /** 'any' where a value need not be a multiple of a step (the learning rate). */
  step: number | 'any';
  value: number;
  hint: string;
}

const NUMBERS: NumberField[] = [
  { key: 'epochs', label: 'Epochs', min: 1, max: 50, step: 1, value: 3, hint: 'passes over the 8,000 training digits' },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 1024, step: 1, value: 64, hint: 'digits per step' },
  { key: 'lr', label: 'Learning rate', min: 0.00001, max: 1, step: 'any', value: 0.005, hint: 'the peak of the schedule' },
];

const OPTIMIZERS = [
  ['adam', 'Adam'],
  ['adamw', 'AdamW'],
  ['sgd', 'SGD (momentum 0.9, Nesterov)'],
] as const;

const SCHEDULES = [
  ['onecycle', 'One-cycle (warm up, then anneal)'],
  ['cosine', 'Cosine annealing'],
  ['constant', 'Constant'],
] as const;

function select(name: string, label: string, options: readonly (readonly [string, string])[], hint = ''): { label: HTMLLabelElement; input: HTMLSelectElement } {
  const l = el('label', 'field');
  const s = el('select');
  s.name = name;
  s.id = `input-${name}`;
  for (const [value, text] of options) {
    const o = el('option', '', text);
    o.value = value;
    s.append(o);
  }
  l.append(el('span', 'field-name', label), s);
  if (hint) l.append(el('span', 'field-hint', hint));
  return { label: l, input: s };
}

function checkbox(name: string, label: string, checked: boolean, hint: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const l = el('label', 'check');
  const c = el('input');
  Object.assign(c, { type: 'checkbox', name, id: `input-${name}`, checked });
  l.title = hint;
  l.append(c, el('span', '', label));
  return { label: l, input: c };
}

export class ControlsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-side';
  /** Set by main.ts. */
  onStart: (config: RunConfig) => void = () => {};
  onPause: () => void = () => {};
  onResume: () => void = () => {};
  onStop: () => void = () => {};
  /** The model select changed (main.ts updates the cost note and the page's model). */
  onModelChange: (id: string) => void = () => {};
  private readonly numbers = new Map<NumberField['key'], HTMLInputElement>();
  private readonly model = select('model', 'Model', MODELS.map((m) => [m.id, m.label] as const));
  private readonly optimizer = select('optimizer', 'Optimizer', OPTIMIZERS);
  private readonly schedule = select('schedule', 'Learning-rate schedule', SCHEDULES);
  private readonly augment = checkbox('augment', 'Augmentation (random shifts of up to 2 pixels)', true, 'RandomCrop(28, padding 2) on every training batch');
  private readonly continueFrom = checkbox('continue', 'Continue from the current weights', false, 'train the model shown in the other tabs further, instead of new random weights');
  readonly modelNote = el('p', 'field-hint model-note');
  private readonly startButton = el('button', 'button primary', 'Start training');
  private readonly pauseButton = button('Pause', 'button');
  private readonly stopButton = button('Stop', 'button');
  private readonly statusLine = el('p', 'status');
  private readonly controls: (HTMLInputElement | HTMLSelectElement)[] = [];
  private ready = false;
  private heldOut: number | null = null;
  private stopping = false;
  /** Pause was pressed and the run has not paused yet, or it is paused. */
  private pausing = false;
  private isPaused = false;

  constructor() {
    const { root, body } = card('Training', 'controls');
    this.root = root;
    const form = el('form', 'controls');
    this.model.label.append(this.modelNote);
    this.model.input.addEventListener('change', () => this.onModelChange(this.model.input.value));
    form.append(this.model.label, this.optimizer.label, this.schedule.label);
    const grid = el('div', 'number-fields');
    for (const f of NUMBERS) {
      const label = el('label', 'field');
      const input = el('input');
      Object.assign(input, { type: 'number', name: f.key, id: `input-${f.key}`, min: String(f.min), max: String(f.max), step: String(f.step), value: String(f.value), required: true });
      label.title = f.hint;
      label.append(el('span', 'field-name', f.label), input);
      grid.append(label);
      this.numbers.set(f.key, input);
      this.controls.push(input);
    }
    form.append(grid, this.augment.label, this.continueFrom.label);
    this.controls.push(this.model.input, this.optimizer.input, this.schedule.input, this.augment.input, this.continueFrom.input);
    this.startButton.type = 'submit';
    this.startButton.id = 'start';
    this.pauseButton.id = 'pause';
    this.stopButton.id = 'stop';
    const buttons = el('div', 'buttons');
    buttons.append(this.startButton, this.pauseButton, this.stopButton);
    form.append(buttons);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!form.reportValidity()) return;
      this.onStart(this.config());
    });
    this.pauseButton.addEventListener('click', () => {
      this.pauseButton.disabled = true;
      if (this.isPaused) this.onResume();
      else {
        this.pausing = true;
        this.status('Pausing after this step…');
        this.onPause();
      }
    });
    this.stopButton.addEventListener('click', () => {
      this.stopping = true;
      this.stopButton.disabled = true;
      this.pauseButton.disabled = true;
      this.onStop();
    });
    this.statusLine.id = 'status';
    this.statusLine.setAttribute('aria-live', 'polite');
    body.append(form, this.statusLine);
    this.setIdle(false, 'Starting WebGPU…');
  }

  get modelId(): string {
    return this.model.input.value;
  }

  /** Enables Start once the device and the data are ready (or disables it for good on failure). */
  setIdle(ready: boolean, status: string): void {
    this.ready = ready;
    this.pausing = this.isPaused = false;
    this.startButton.disabled = !ready;
    this.pauseButton.disabled = true;
    this.pauseButton.textContent = 'Pause';
    this.stopButton.disabled = true;
    for (const c of this.controls) c.disabled = !ready;
    this.status(status);
  }

  status(text: string): void {
    this.statusLine.textContent = text;
  }

  private config(): RunConfig {
    const v = (k: NumberField['key']): number => Number(this.numbers.get(k)!.value);
    return {
      model: this.model.input.value,
      optimizer: this.optimizer.input.value as RunConfig['optimizer'],
      schedule: this.schedule.input.value as RunConfig['schedule'],
      epochs: v('epochs'),
      batchSize: v('batchSize'),
      lr: v('lr'),
      augment: this.augment.input.checked,
      continueFrom: this.continueFrom.input.checked,
    };
  }

  runStarted(run: RunInfo): void {
    this.heldOut = null;
    this.stopping = false;
    this.pausing = this.isPaused = false;
    this.startButton.disabled = true;
    this.stopButton.disabled = false;
    this.pauseButton.disabled = false;
    for (const c of this.controls) c.disabled = true;
    this.status(`Preparing the GPU kernels for ${fmt.int(run.totalSteps)} steps…`);
  }

  step(s: RunStep): void {
    // Stop and Pause are off while the held-out digits are scored, and after Stop was pressed.
    this.stopButton.disabled = this.stopping;
    if (this.stopping || this.pausing) return;
    this.pauseButton.disabled = false;
    this.status(`Training: epoch ${s.epoch} of ${s.epochs}, step ${s.step} of ${s.stepsPerEpoch}.`);
  }

  paused(paused: boolean): void {
    this.isPaused = this.pausing = paused;
    this.pauseButton.textContent = paused ? 'Resume' : 'Pause';
    this.pauseButton.disabled = this.stopping;
    if (paused) this.status('Paused. The other tabs show the model as it is now; Resume continues the run.');
    else this.status('Resuming…');
  }

  evaluating(run: RunInfo): void {
    this.stopButton.disabled = true;
    this.pauseButton.disabled = true;
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
