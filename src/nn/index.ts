/**
 * phaseflow's neural-network engine: layer-level forward/backward (no general autodiff) on two backends —
 * float32 WebAssembly SIMD (build/nn.wasm, optionally multi-threaded through the shared kernel pool) and a float64
 * TypeScript reference used as the test oracle. U-Net noise/velocity predictor, CNN classifier, Adam/AdamW, gradient
 * clipping, cosine schedule, EMA, safetensors weights.
 *
 * Example
 * ```ts
 * const be = await WasmBackend.create({ pool: await sharedPool() });
 * const net = new UNet(be, { channels: [16, 32, 64] }, Rng.seeded(0));
 * const opt = new AdamW(net, { lr: 1e-4 });
 * const y = net.forward(x, times);          // x: Tensor (N, 1, 32, 32) in be's heap, times: N numbers
 * const loss = mseLoss(be, y, target, grad); // grad: a buffer of y's size
 * net.zeroGrad(); net.backward({ shape: y.shape, ptr: grad }); clipGradNorm(net, 1); opt.step(lr);
 * ```
 */
export type { Backend, ConvGeom, Ptr, AdamStepParams } from './kernels/backend.js';
export { convGeom, convOut } from './kernels/backend.js';
export { RefBackend } from './kernels/ref.js';
export { WasmBackend, type WasmBackendOptions } from './kernels/wasm.js';
export { WebGpuBackend } from './kernels/webgpu.js';
export { type Tensor, tensor, numel } from './tensor.js';
export * from './layers/index.js';
export { UNet, unetConfig, validateUNetConfig, type UNetConfig } from './models/unet.js';
export { Classifier, classifierConfig, type ClassifierConfig } from './models/classifier.js';
export { benchConvNet } from './models/convnet.js';
export { mseLoss, crossEntropyLoss } from './loss.js';
export * from './optim/index.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  SafetensorsError,
  type SafeTensor,
  type SafetensorsFile,
} from './io/safetensors.js';
export {
  saveWeights,
  loadWeights,
  loadWeightsFromBytes,
  encodeWeights,
  saveModel,
  loadModel,
  buildModel,
  type ModelConfig,
  type ConfiguredModel,
} from './io/weights.js';
export { DenoiserTrainer, ClassifierTrainer, type TrainerOptions, type StepResult } from './train.js';
