/**
 * The bench inside the browser: the same cases and runner as in Node, with webtrain and tfjs both
 * on navigator.gpu's adapter. bench/browser.ts opens this page and calls window.runBench().
 */
import * as wt from '../../src/index.ts';
import { benchCases } from '../cases.ts';
import { adapterOf, runSuite, type CaseResult, type SuiteOptions } from '../suite.ts';
import { tf, useTfjsWebGPU } from '../tfjs-backend.ts';

export type BrowserSuiteOptions = Omit<SuiteOptions, 'log'>;

export interface BrowserRun {
  results: CaseResult[];
  adapter: { webtrain: string; tfjs: string; same: boolean };
  versions: Record<string, string>;
}

declare global {
  interface Window {
    runBench(o: BrowserSuiteOptions): Promise<BrowserRun>;
    /** Installed by bench/browser.ts (Playwright's exposeFunction) to stream progress to the terminal. */
    benchLog?: (line: string) => Promise<void>;
  }
}

const pre = document.getElementById('log')!;

function log(line: string): void {
  pre.textContent += `${line}\n`;
  void window.benchLog?.(line);
}

window.runBench = async (o) => {
  const device = await wt.init();
  const tfjs = await useTfjsWebGPU(navigator.gpu);
  let mnist: Promise<wt.MnistData> | null = null;
  const ctx = { device, tfjs, smoke: o.smoke, mnist: () => (mnist ??= wt.loadMnist()) };
  const adapter = adapterOf(ctx);
  log(`adapter: ${adapter.webtrain}${adapter.same ? ' (tfjs on the same adapter)' : ` / tfjs: ${adapter.tfjs}`}`);
  const results = await runSuite(benchCases({ smoke: o.smoke }), ctx, { ...o, log });
  tfjs.backend.dispose();
  device.destroy();
  return { results, adapter, versions: { tfjs: tf.version.tfjs } };
};
