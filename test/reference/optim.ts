/**
 * One update step of torch.optim.SGD, Adam and AdamW (torch 1.13's single-tensor algorithms, the
 * pseudo-code of the torch.optim docs), in float64, on a flat parameter. Each class keeps its own
 * state like the torch optimizer; step() updates `param` in place.
 */

export interface SgdParams {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SgdReference {
  momentumBuffer: Float64Array | null = null;
  constructor(readonly p: SgdParams) {}

  step(param: Float64Array, grad: ArrayLike<number>): void {
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = this.p;
    const d = Float64Array.from(grad, (g, i) => (maximize ? -g : g) + weightDecay * param[i]!);
    if (momentum !== 0) {
      if (!this.momentumBuffer) {
        this.momentumBuffer = Float64Array.from(d);
      } else {
        const buf = this.momentumBuffer;
        for (let i = 0; i < d.length; i++) buf[i] = momentum * buf[i]! + (1 - dampening) * d[i]!;
      }
      const buf = this.momentumBuffer;
      for (let i = 0; i < d.length; i++) d[i] = nesterov ? d[i]! + momentum * buf[i]! : buf[i]!;
    }
    for (let i = 0; i < d.length; i++) param[i] -= lr * d[i]!;
  }
}

export interface AdamParams {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** AdamW: weight decay shrinks the parameter (p *= 1 - lr * wd) instead of adding wd * p to the gradient. */
  decoupled?: boolean;
}

export class AdamReference {
  stepCount = 0;
  expAvg: Float64Array | null = null;
  expAvgSq: Float64Array | null = null;
  maxExpAvgSq: Float64Array | null = null;
  constructor(readonly p: AdamParams) {}

  step(param: Float64Array, grad: ArrayLike<number>): void {
    const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false, decoupled = false } = this.p;
    const [beta1, beta2] = betas;
    const n = param.length;
    this.expAvg ??= new Float64Array(n);
    this.expAvgSq ??= new Float64Array(n);
    this.maxExpAvgSq ??= new Float64Array(n);
    this.stepCount++;
    const bc1 = 1 - beta1 ** this.stepCount;
    const bc2 = 1 - beta2 ** this.stepCount;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -grad[i]! : grad[i]!;
      if (weightDecay !== 0) {
        if (decoupled) param[i] *= 1 - lr * weightDecay;
        else g += weightDecay * param[i]!;
      }
      const m = (this.expAvg[i] = beta1 * this.expAvg[i]! + (1 - beta1) * g);
      const v = (this.expAvgSq[i] = beta2 * this.expAvgSq[i]! + (1 - beta2) * g * g);
      const vhat = amsgrad ? (this.maxExpAvgSq[i] = Math.max(this.maxExpAvgSq[i]!, v)) : v;
      param[i] -= (lr / bc1) * (m / (Math.sqrt(vhat) / Math.sqrt(bc2) + eps));
    }
  }
}
