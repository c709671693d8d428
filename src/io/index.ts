/** Weights in and out: safetensors files with PyTorch/torchvision state-dict names. */
export {
  loadSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  saveSafetensors,
  serializeSafetensors,
  type SafetensorsSource,
  type SafetensorsContents,
  type SafetensorsHeader,
  type SafetensorsEntry,
  type SaveSafetensorsOptions,
} from './safetensors.js';
