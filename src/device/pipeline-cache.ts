/**
 * Compute pipelines cached by what the shader really is: the WGSL text, the entry point and the
 * values of its `override` constants. No hand-built keys: two kernels that differ in any of these
 * get different pipelines, and two call sites asking for the same shader share one.
 */
import { ShaderCompileError } from '../errors.js';

/** A WGSL file as loaded from shaders/: its name (for messages) and its text. */
export interface ShaderSource {
  readonly file: string;
  readonly code: string;
}

export type Constants = Readonly<Record<string, number | boolean>>;

export interface PipelineCacheStats {
  modules: number;
  pipelines: number;
}

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  readonly stats: PipelineCacheStats = { modules: 0, pipelines: 0 };
  /** Shader compile errors found asynchronously, reported by the device at its next check. */
  onCompileError: (error: ShaderCompileError) => void = () => {};

  constructor(private readonly device: GPUDevice) {}

  get(source: ShaderSource, entryPoint: string, constants: Constants): GPUComputePipeline {
    const constKey = Object.keys(constants)
      .sort()
      .map((k) => `${k}=${Number(constants[k])}`)
      .join(',');
    // The source text is part of the key itself; Map hashes the string once and caches it.
    const key = `${entryPoint}|${constKey}|${source.code}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const module = this.module(source);
      const numeric: Record<string, number> = {};
      for (const [k, v] of Object.entries(constants)) numeric[k] = Number(v);
      pipeline = this.device.createComputePipeline({
        label: `${source.file}:${entryPoint}`,
        layout: 'auto',
        compute: { module, entryPoint, constants: numeric },
      });
      this.pipelines.set(key, pipeline);
      this.stats.pipelines++;
    }
    return pipeline;
  }

  private module(source: ShaderSource): GPUShaderModule {
    let module = this.modules.get(source.code);
    if (!module) {
      module = this.device.createShaderModule({ label: source.file, code: source.code });
      this.modules.set(source.code, module);
      this.stats.modules++;
      const m = module;
      void m.getCompilationInfo?.().then((info) => {
        const errors = info.messages.filter((msg) => msg.type === 'error');
        if (errors.length > 0) {
          const text = errors.map((e) => `${source.file}:${e.lineNum}:${e.linePos}: ${e.message}`).join('\n');
          this.onCompileError(new ShaderCompileError(`WGSL compile error\n${text}`));
        }
      });
    }
    return module;
  }
}
