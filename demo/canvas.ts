/** Drawing wt.viz images on canvases; the canvas keeps the image's pixel size, CSS sets its display size. */
import type * as wt from '../src/index.js';

export function paint(canvas: HTMLCanvasElement, img: wt.viz.RGBAImage): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
}

/** A canvas with an accessible label, drawn crisp when scaled. */
export function canvasEl(label: string, className = 'view'): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.className = className;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  c.width = 1;
  c.height = 1;
  return c;
}
