/**
 * wt.viz: DOM-free pieces of views of a CNN: planes to RGBA images through colormaps, grids of
 * filters, feature maps of a staged model, receptive fields of its units, Grad-CAM, confusion
 * matrices, hand-made kernels.
 */
export * from './image.js';
export * from './stages.js';
export * from './cam.js';
export * from './confusion.js';
export * from './kernels.js';
export * from './filters.js';
export * from './receptive.js';
