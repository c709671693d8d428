/**
 * torch.nn.functional.conv2d (a cross-correlation) and its gradients, in float64, for NCHW input
 * [N, C, H, W], weight [O, C / groups, KH, KW] and bias [O]. Options as PyTorch: stride, padding
 * (int, pair, 'valid', or 'same', which pads total = dilation * (k - 1) with the odd pixel on the
 * bottom/right), dilation, groups.
 *
 * Every function loops over the same terms y[n, o, oh, ow] += w[o, c, kh, kw] * x[n, g*CG + c, ih, iw]
 * with ih = oh * SH - PT + kh * DH (likewise iw); the gradients send each term's gradient to the
 * two elements it read (the adjoint of the forward sum).
 */
import { zeros, type NDArray } from './ndarray.js';

export type IntOrPair = number | readonly [number, number];

export type Conv2dParams = {
  stride?: IntOrPair;
  padding?: IntOrPair | 'same' | 'valid';
  dilation?: IntOrPair;
  groups?: number;
};

const pairOf = (v: IntOrPair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Everything the loops need, with explicit top/bottom/left/right padding. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dh: number;
  dw: number;
  groups: number;
  oh: number;
  ow: number;
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams = {}): ConvGeometry {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [o, cg, kh, kw] = wShape as [number, number, number, number];
  const groups = p.groups ?? 1;
  if (cg * groups !== c) throw new Error(`conv2d reference: ${c} channels vs weight [${wShape}] with groups ${groups}`);
  const [sh, sw] = pairOf(p.stride ?? 1);
  const [dh, dw] = pairOf(p.dilation ?? 1);
  let padTop: number, padBottom: number, padLeft: number, padRight: number;
  const padding = p.padding ?? 0;
  if (padding === 'same') {
    const th = dh * (kh - 1);
    const tw = dw * (kw - 1);
    padTop = Math.floor(th / 2);
    padBottom = th - padTop;
    padLeft = Math.floor(tw / 2);
    padRight = tw - padLeft;
  } else if (padding === 'valid') {
    padTop = padBottom = padLeft = padRight = 0;
  } else {
    [padTop, padLeft] = pairOf(padding);
    padBottom = padTop;
    padRight = padLeft;
  }
  const oh = Math.floor((h + padTop + padBottom - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((w + padLeft + padRight - dw * (kw - 1) - 1) / sw) + 1;
  return { n, c, h, w, o, kh, kw, sh, sw, padTop, padBottom, padLeft, padRight, dh, dw, groups, oh, ow };
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every product term of the convolution whose input
 * element lies inside the (unpadded) input.
 */
function forEachTerm(g: ConvGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  for (let n = 0; n < g.n; n++) {
    for (let o = 0; o < g.o; o++) {
      const group = Math.floor(o / og);
      for (let oh = 0; oh < g.oh; oh++) {
        for (let ow = 0; ow < g.ow; ow++) {
          const yi = ((n * g.o + o) * g.oh + oh) * g.ow + ow;
          for (let c = 0; c < cg; c++) {
            const xc = group * cg + c;
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.sh - g.padTop + kh * g.dh;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.sw - g.padLeft + kw * g.dw;
                if (iw < 0 || iw >= g.w) continue;
                const xi = ((n * g.c + xc) * g.h + ih) * g.w + iw;
                const wi = ((o * cg + c) * g.kh + kh) * g.kw + kw;
                visit(xi, wi, yi);
              }
            }
          }
        }
      }
    }
  }
}

export function conv2d(x: NDArray, weight: NDArray, bias: NDArray | null, p: Conv2dParams = {}): NDArray {
  const g = convGeometry(x.shape, weight.shape, p);
  const y = zeros([g.n, g.o, g.oh, g.ow]);
  if (bias) {
    for (let i = 0; i < y.data.length; i++) y.data[i] = bias.data[Math.floor(i / (g.oh * g.ow)) % g.o]!;
  }
  forEachTerm(g, (xi, wi, yi) => {
    y.data[yi] += weight.data[wi]! * x.data[xi]!;
  });
  return y;
}

/** dL/dx of conv2d for the output gradient gy. */
export function conv2dInputGrad(gy: NDArray, weight: NDArray, xShape: readonly number[], p: Conv2dParams = {}): NDArray {
  const g = convGeometry(xShape, weight.shape, p);
  const dx = zeros(xShape);
  forEachTerm(g, (xi, wi, yi) => {
    dx.data[xi] += weight.data[wi]! * gy.data[yi]!;
  });
  return dx;
}

/** dL/dweight of conv2d for the output gradient gy. */
export function conv2dWeightGrad(gy: NDArray, x: NDArray, wShape: readonly number[], p: Conv2dParams = {}): NDArray {
  const g = convGeometry(x.shape, wShape, p);
  const dw = zeros(wShape);
  forEachTerm(g, (xi, wi, yi) => {
    dw.data[wi] += x.data[xi]! * gy.data[yi]!;
  });
  return dw;
}

/** dL/dbias: the output gradient summed over N, OH, OW. */
export function conv2dBiasGrad(gy: NDArray): NDArray {
  const [n, o, oh, ow] = gy.shape as [number, number, number, number];
  const db = zeros([o]);
  for (let i = 0; i < n * o * oh * ow; i++) db.data[Math.floor(i / (oh * ow)) % o] += gy.data[i]!;
  return db;
}

// ---- conv_transpose2d ------------------------------------------------------------------------------

export type ConvTranspose2dParams = {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  dilation?: IntOrPair;
};

/**
 * Calls visit(xIndex, wIndex, yIndex) for every product term of torch.nn.functional.conv_transpose2d
 * with input [N, CIN, H, W] and weight [CIN, COUT / groups, KH, KW]: input pixel (ih, iw) of channel
 * ci scatters w[ci, oc, kh, kw] * x into output (ih * SH - PH + kh * DH, iw * SW - PW + kw * DW) of
 * channel group * COUT/groups + oc, where it lies inside the output.
 */
function forEachTransposedTerm(
  xShape: readonly number[],
  wShape: readonly number[],
  p: ConvTranspose2dParams,
  visit: (xi: number, wi: number, yi: number) => void,
): number[] {
  const [n, cin, h, w] = xShape as [number, number, number, number];
  const [, ocg, kh, kw] = wShape as [number, number, number, number];
  const groups = p.groups ?? 1;
  const [sh, sw] = pairOf(p.stride ?? 1);
  const [ph, pw] = pairOf(p.padding ?? 0);
  const [oph, opw] = pairOf(p.outputPadding ?? 0);
  const [dh, dw] = pairOf(p.dilation ?? 1);
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  const cout = ocg * groups;
  const cig = cin / groups;
  for (let b = 0; b < n; b++) {
    for (let ci = 0; ci < cin; ci++) {
      const group = Math.floor(ci / cig);
      for (let ih = 0; ih < h; ih++) {
        for (let iw = 0; iw < w; iw++) {
          const xi = ((b * cin + ci) * h + ih) * w + iw;
          for (let oc = 0; oc < ocg; oc++) {
            for (let a = 0; a < kh; a++) {
              const y = ih * sh - ph + a * dh;
              if (y < 0 || y >= oh) continue;
              for (let c = 0; c < kw; c++) {
                const x = iw * sw - pw + c * dw;
                if (x < 0 || x >= ow) continue;
                const wi = ((ci * ocg + oc) * kh + a) * kw + c;
                const yi = ((b * cout + group * ocg + oc) * oh + y) * ow + x;
                visit(xi, wi, yi);
              }
            }
          }
        }
      }
    }
  }
  return [n, cout, oh, ow];
}

export function convTranspose2d(x: NDArray, weight: NDArray, bias: NDArray | null, p: ConvTranspose2dParams = {}): NDArray {
  const terms: [number, number, number][] = [];
  const shape = forEachTransposedTerm(x.shape, weight.shape, p, (xi, wi, yi) => terms.push([xi, wi, yi]));
  const y = zeros(shape);
  const [, cout, oh, ow] = shape as [number, number, number, number];
  if (bias) for (let i = 0; i < y.data.length; i++) y.data[i] = bias.data[Math.floor(i / (oh * ow)) % cout]!;
  for (const [xi, wi, yi] of terms) y.data[yi] += x.data[xi]! * weight.data[wi]!;
  return y;
}

/** The input and weight gradients of convTranspose2d for the output gradient gy. */
export function convTranspose2dGrads(gy: NDArray, x: NDArray, weight: NDArray, p: ConvTranspose2dParams = {}): [NDArray, NDArray] {
  const dx = zeros(x.shape);
  const dw = zeros(weight.shape);
  forEachTransposedTerm(x.shape, weight.shape, p, (xi, wi, yi) => {
    dx.data[xi] += weight.data[wi]! * gy.data[yi]!;
    dw.data[wi] += x.data[xi]! * gy.data[yi]!;
  });
  return [dx, dw];
}
