/**
 * Vite plugin: serves the packed MNIST digits at /@webtrain/mnist.bin for the demo and the browser
 * tests (dev server), and emits them as an asset in `vite build`.
 */
import type { Plugin } from 'vite';
import { MNIST_URL, packMnistFromPackage } from '../src/data/mnist.ts';

export function mnistPlugin(): Plugin {
  let packed: Promise<Uint8Array> | null = null;
  const get = (): Promise<Uint8Array> => (packed ??= packMnistFromPackage());
  return {
    name: 'webtrain-mnist',
    configureServer(server) {
      server.middlewares.use(MNIST_URL, (_req, res, next) => {
        get().then(
          (bytes) => {
            res.setHeader('Content-Type', 'application/octet-stream');
            res.setHeader('Content-Length', String(bytes.length));
            res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          },
          (e: unknown) => next(e),
        );
      });
    },
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_URL.slice(1), source: await get() });
    },
  };
}
