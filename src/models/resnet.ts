/**
 * Residual networks, three families in one file because they share their blocks and init.
 *
 * 1. **ResNet** (He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
 *    arXiv:1512.03385, Table 1) exactly as torchvision 0.14's `models/resnet.py`: 7x7/2 stem conv,
 *    BN, ReLU, 3x3/2 max pool, four stages (64, 128, 256, 512 planes; stride 2 from the second, on
 *    the 3x3 conv of the block as in "ResNet v1.5"), global average pool, fc. BasicBlock (two 3x3)
 *    for 18/34, Bottleneck (1x1, 3x3, 1x1, expansion 4) for 50/101/152, projection shortcuts
 *    (`downsample.0` 1x1 conv + `downsample.1` BN) wherever the shape changes, BN after each conv.
 *    ResNeXt (Xie et al. 2017, Table 1: `groups` x `widthPerGroup` on the 3x3 conv) and Wide ResNet
 *    (Zagoruyko & Komodakis 2016: the bottleneck twice as wide) are the same class by config.
 *    State-dict keys, order, shapes and parameter counts equal torchvision's. Input: 3-channel
 *    images, any size >= 32x32 for the default stem (the net divides by 32; global pooling takes
 *    any remainder); 224x224 is ImageNet's. `{ cifarStem: true }` gives the usual CIFAR ResNet-18
 *    variant of the same builders: a 3x3/1 stem conv (`conv1.weight` [64, 3, 3, 3]) and no max pool,
 *    so a 32x32 input reaches the last stage at 4x4.
 * 2. **Pre-activation ResNet** (He, Zhang, Ren, Sun, "Identity Mappings in Deep Residual Networks",
 *    ECCV 2016, arXiv:1603.05027, Fig. 1(b) and Fig. 4(e)): each block is BN, ReLU, conv, BN, ReLU,
 *    conv (bottleneck: three of them) with a clean identity path; the projection shortcut (a bare
 *    1x1 conv, `downsample`) takes the block's pre-activated input; the stem is a bare conv (the
 *    first block pre-activates it) and the network ends with the extra BN + ReLU the paper puts after
 *    the last addition (`bn`). Same stage table and stems as ResNet (`cifarStem` too). torchvision has
 *    no such model; the fixtures come from a reference module with the same names
 *    (test/fixtures/gen_models_resnet.py).
 * 3. **CIFAR ResNets** (the 2015 paper, Section 4.2 and Table 6): 3x3 conv 16, BN, ReLU, no max
 *    pool, three stages of n BasicBlocks with 16, 32, 64 planes (32x32, 16x16, 8x8 maps), global
 *    average pool, fc; depth 6n + 2 (ResNet-20/32/44/56/110/1202). Shortcuts are option A by default
 *    as in the paper (parameter-free: the input subsampled by 2 and zero-padded in channels, the
 *    `downsample` module `PadShortcut`; 0.27M parameters for ResNet-20 as in Table 6), or
 *    `{ shortcut: 'B' }` for projections (`downsample.0` conv 1x1 + `downsample.1` BN as in
 *    torchvision). Input 32x32 (any size divisible by 4 works). numClasses defaults to 10.
 *
 * Initialization as torchvision's ResNet: convs kaiming-normal (fan_out, relu), norm weights 1 and
 * biases 0, fc PyTorch's default; `zeroInitResidual` zeroes the last BN weight of each block (for
 * pre-activation blocks, which end in a conv, it zeroes that conv instead).
 */
import { ArgumentError } from '../errors.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, GroupNorm, Identity, Linear, MaxPool2d, Module, ReLU, Sequential, init } from '../nn/index.js';
import * as F from '../ops/index.js';
import { Tensor } from '../tensor/tensor.js';

/** Makes the norm layer after a conv (torchvision's norm_layer); default BatchNorm2d. */
export type NormLayer = (numFeatures: number) => Module;

const batchNorm: NormLayer = (c) => new BatchNorm2d(c);

/** 3x3 convolution, padding = dilation, no bias (torchvision's conv3x3). */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1x1 convolution, no bias (torchvision's conv1x1). */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** What every block constructor takes after (inplanes, planes). */
export interface BlockOptions {
  stride?: number;
  /** The shortcut's module when the shape changes (null: identity). */
  downsample?: Module | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
  normLayer?: NormLayer;
}

/** A residual block class: its output has planes * expansion channels. */
export interface BlockType {
  new (inplanes: number, planes: number, options?: BlockOptions): Module;
  readonly expansion: number;
  readonly name: string;
}

function checkOptions(op: string, options: object, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${op}: options must be an object, got ${String(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new ArgumentError(`${op}: unknown option '${k}' (expected one of ${allowed.join(', ')})`);
  }
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

const BLOCK_OPTIONS = ['stride', 'downsample', 'groups', 'baseWidth', 'dilation', 'normLayer'] as const;

/** A block's options with torchvision's defaults, unknown ones an error naming the block. */
function blockOptions(op: string, o: BlockOptions): Required<BlockOptions> {
  checkOptions(op, o, BLOCK_OPTIONS);
  return { stride: o.stride ?? 1, downsample: o.downsample ?? null, groups: o.groups ?? 1, baseWidth: o.baseWidth ?? 64, dilation: o.dilation ?? 1, normLayer: o.normLayer ?? batchNorm };
}

/** The 3x3 conv's channels in a bottleneck (torchvision: int(planes * baseWidth / 64) * groups). */
function bottleneckWidth(planes: number, baseWidth: number, groups: number): number {
  return Math.floor(planes * (baseWidth / 64)) * groups;
}

/** A pre-activation block's start: relu(bn1(x)), and the shortcut (the projection of that, or x). */
function preActivate(bn1: Module, downsample: Module | null, x: Tensor): [Tensor, Tensor] {
  const pre = F.relu(bn1.call(x));
  return [pre, downsample ? downsample.call(pre) : x];
}

/** The residual sum and its ReLU, shared by the post-activation blocks. */
function residualRelu(out: Tensor, x: Tensor, downsample: Module | null): Tensor {
  return F.relu(F.add(out, downsample ? downsample.call(x) : x));
}

/** Two 3x3 convs with BN (ResNet-18/34 and the CIFAR ResNets): conv1, bn1, relu, conv2, bn2, downsample. */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: Module;
  relu = new ReLU();
  conv2: Conv2d;
  bn2: Module;
  downsample: Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const { stride, downsample, groups, baseWidth, dilation, normLayer } = blockOptions('BasicBlock', options);
    if (groups !== 1 || baseWidth !== 64) throw new ArgumentError(`BasicBlock: only groups=1 and baseWidth=64 are supported, got groups=${groups}, baseWidth=${baseWidth}`);
    if (dilation > 1) throw new ArgumentError(`BasicBlock: dilation > 1 is not supported, got ${dilation} (replaceStrideWithDilation needs Bottleneck)`);
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = normLayer(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = normLayer(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    const out = F.relu(this.bn1.call(this.conv1.call(x)));
    return residualRelu(this.bn2.call(this.conv2.call(out)), x, this.downsample);
  }
}


/** 1x1 reduce, 3x3 (stride, groups, dilation), 1x1 expand (x4), BN after each: ResNet-50/101/152, ResNeXt, Wide ResNet. */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: Module;
  conv2: Conv2d;
  bn2: Module;
  conv3: Conv2d;
  bn3: Module;
  relu = new ReLU();
  downsample: Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const { stride, downsample, groups, baseWidth, dilation, normLayer } = blockOptions('Bottleneck', options);
    const width = bottleneckWidth(planes, baseWidth, groups);
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = normLayer(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = normLayer(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = normLayer(planes * Bottleneck.expansion);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let out = F.relu(this.bn1.call(this.conv1.call(x)));
    out = F.relu(this.bn2.call(this.conv2.call(out)));
    return residualRelu(this.bn3.call(this.conv3.call(out)), x, this.downsample);
  }
}

/** Pre-activation basic block (Identity Mappings, Fig. 4(e)): bn1, relu, conv1, bn2, relu, conv2, + shortcut. */
export class PreActBasicBlock extends Module {
  static readonly expansion = 1;
  bn1: Module;
  relu = new ReLU();
  conv1: Conv2d;
  bn2: Module;
  conv2: Conv2d;
  /** A bare 1x1 conv on the pre-activated input where the shape changes. */
  downsample: Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const { stride, downsample, groups, baseWidth, dilation, normLayer } = blockOptions('PreActBasicBlock', options);
    if (groups !== 1 || baseWidth !== 64 || dilation !== 1) throw new ArgumentError(`PreActBasicBlock: only groups=1, baseWidth=64 and dilation=1 are supported`);
    this.bn1 = normLayer(inplanes);
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn2 = normLayer(planes);
    this.conv2 = conv3x3(planes, planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    const [pre, shortcut] = preActivate(this.bn1, this.downsample, x);
    return F.add(this.conv2.call(F.relu(this.bn2.call(this.conv1.call(pre)))), shortcut);
  }
}

/** Pre-activation bottleneck: bn1, relu, conv1 (1x1), bn2, relu, conv2 (3x3), bn3, relu, conv3 (1x1, x4), + shortcut. */
export class PreActBottleneck extends Module {
  static readonly expansion = 4;
  bn1: Module;
  relu = new ReLU();
  conv1: Conv2d;
  bn2: Module;
  conv2: Conv2d;
  bn3: Module;
  conv3: Conv2d;
  downsample: Module | null;
  readonly stride: number;

  constructor(inplanes: number, planes: number, options: BlockOptions = {}) {
    super();
    const { stride, downsample, groups, baseWidth, dilation, normLayer } = blockOptions('PreActBottleneck', options);
    const width = bottleneckWidth(planes, baseWidth, groups);
    this.bn1 = normLayer(inplanes);
    this.conv1 = conv1x1(inplanes, width);
    this.bn2 = normLayer(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn3 = normLayer(width);
    this.conv3 = conv1x1(width, planes * PreActBottleneck.expansion);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    const [pre, shortcut] = preActivate(this.bn1, this.downsample, x);
    const out = this.conv2.call(F.relu(this.bn2.call(this.conv1.call(pre))));
    return F.add(this.conv3.call(F.relu(this.bn3.call(out))), shortcut);
  }
}

/**
 * The CIFAR paper's option-A shortcut: the input subsampled by `stride` (x[:, :, ::s, ::s]) and
 * zero-padded to `outPlanes` channels, half the new channels on each side. No parameters.
 */
export class PadShortcut extends Module {
  constructor(
    readonly inPlanes: number,
    readonly outPlanes: number,
    readonly stride: number,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    let y = x;
    if (this.stride !== 1) y = F.slice(F.slice(y, 2, null, null, this.stride), 3, null, null, this.stride);
    const extra = this.outPlanes - this.inPlanes;
    const before = Math.floor(extra / 2);
    return extra > 0 ? F.pad(y, [0, 0, 0, 0, before, extra - before]) : y;
  }

  override extraRepr(): string {
    return `${this.inPlanes}, ${this.outPlanes}, stride=${this.stride}`;
  }
}

function isPreAct(block: BlockType): boolean {
  return block === PreActBasicBlock || block === PreActBottleneck || block.prototype instanceof PreActBasicBlock || block.prototype instanceof PreActBottleneck;
}

/** torchvision's init: convs kaiming-normal (fan_out, relu), BN/GN weight 1 and bias 0; then zeroInitResidual. */
function initResNet(model: Module, zeroInitResidual: boolean): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
    else if (m instanceof BatchNorm2d || m instanceof GroupNorm) {
      if (m.weight) init.constant_(m.weight, 1);
      if (m.bias) init.constant_(m.bias, 0);
    }
  }
  if (!zeroInitResidual) return;
  for (const m of model.modules()) {
    if (m instanceof Bottleneck) zeroWeight(m.bn3);
    else if (m instanceof BasicBlock) zeroWeight(m.bn2);
    else if (m instanceof PreActBottleneck) init.zeros_(m.conv3.weight);
    else if (m instanceof PreActBasicBlock) init.zeros_(m.conv2.weight);
  }
}

function zeroWeight(norm: Module): void {
  const w = (norm as unknown as { weight?: unknown }).weight;
  if (w instanceof Tensor) init.constant_(w, 0);
}

/** Builds stages of residual blocks (torchvision's ResNet._make_layer), tracking inplanes and dilation. */
class StageBuilder {
  dilation = 1;
  constructor(
    public inplanes: number,
    readonly block: BlockType,
    readonly groups: number,
    readonly baseWidth: number,
    readonly normLayer: NormLayer,
    /** The shortcut where the shape changes: (inplanes, outPlanes, stride) => module. */
    readonly shortcut: (inplanes: number, outPlanes: number, stride: number) => Module,
  ) {}

  stage(planes: number, blocks: number, stride = 1, dilate = false): Sequential {
    const { block, groups, baseWidth, normLayer } = this;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    const out = planes * block.expansion;
    const downsample = stride !== 1 || this.inplanes !== out ? this.shortcut(this.inplanes, out, stride) : null;
    const layers: Module[] = [new block(this.inplanes, planes, { stride, downsample, groups, baseWidth, dilation: previousDilation, normLayer })];
    this.inplanes = out;
    for (let i = 1; i < blocks; i++) layers.push(new block(this.inplanes, planes, { groups, baseWidth, dilation: this.dilation, normLayer }));
    return new Sequential(...layers);
  }
}

export interface ResNetOptions {
  /** Default 1000. */
  numClasses?: number;
  /** Zero the last BN weight of each residual block, so each block starts as the identity. */
  zeroInitResidual?: boolean;
  /** Groups of the 3x3 conv in Bottleneck (ResNeXt's cardinality). */
  groups?: number;
  /** Channels per group of the 3x3 bottleneck conv at the first stage (64: ResNet; 4: ResNeXt 32x4d; 128: Wide ResNet-50-2). */
  widthPerGroup?: number;
  /** For stages 2, 3, 4: dilate instead of striding (Bottleneck only). */
  replaceStrideWithDilation?: [boolean, boolean, boolean] | boolean[];
  /** The norm layer after each conv (default BatchNorm2d). */
  normLayer?: NormLayer;
  /** 3x3/1 stem conv and no max pool (CIFAR-size inputs), instead of the 7x7/2 conv and 3x3/2 max pool. */
  cifarStem?: boolean;
}

const RESNET_OPTIONS = ['numClasses', 'zeroInitResidual', 'groups', 'widthPerGroup', 'replaceStrideWithDilation', 'normLayer', 'cifarStem'] as const;

interface ResolvedOptions {
  numClasses: number;
  zeroInitResidual: boolean;
  groups: number;
  widthPerGroup: number;
  dilate: boolean[];
  normLayer: NormLayer;
  cifarStem: boolean;
}

function resolveOptions(op: string, layers: readonly number[], options: ResNetOptions): ResolvedOptions {
  checkOptions(op, options, RESNET_OPTIONS);
  if (!Array.isArray(layers) || layers.length !== 4) throw new ArgumentError(`${op}: layers must be 4 block counts, got ${JSON.stringify(layers)}`);
  layers.forEach((n, i) => positiveInt(op, `layers[${i}]`, n));
  const dilate = options.replaceStrideWithDilation ?? [false, false, false];
  if (!Array.isArray(dilate) || dilate.length !== 3) {
    throw new ArgumentError(`${op}: replaceStrideWithDilation should be undefined or 3 booleans, got ${JSON.stringify(dilate)}`);
  }
  const normLayer = options.normLayer ?? batchNorm;
  if (typeof normLayer !== 'function') throw new ArgumentError(`${op}: normLayer must be a function (numFeatures) => Module`);
  return {
    numClasses: positiveInt(op, 'numClasses', options.numClasses ?? 1000),
    zeroInitResidual: Boolean(options.zeroInitResidual),
    groups: positiveInt(op, 'groups', options.groups ?? 1),
    widthPerGroup: positiveInt(op, 'widthPerGroup', options.widthPerGroup ?? 64),
    dilate: dilate.map(Boolean),
    normLayer,
    cifarStem: Boolean(options.cifarStem),
  };
}

function stem(cifarStem: boolean, outPlanes: number): { conv1: Conv2d; maxpool: Module } {
  return cifarStem
    ? { conv1: new Conv2d(3, outPlanes, 3, { stride: 1, padding: 1, bias: false }), maxpool: new Identity() }
    : { conv1: new Conv2d(3, outPlanes, 7, { stride: 2, padding: 3, bias: false }), maxpool: new MaxPool2d(3, { stride: 2, padding: 1 }) };
}

function projection(normLayer: NormLayer): (inplanes: number, out: number, stride: number) => Module {
  return (inplanes, out, stride) => new Sequential(conv1x1(inplanes, out, stride), normLayer(out));
}

function blockName(block: BlockType): string {
  return block.name || 'block';
}

/**
 * torchvision's ResNet: conv1, bn1, relu, maxpool, layer1..layer4, avgpool, fc.
 * new ResNet(BasicBlock | Bottleneck, [n1, n2, n3, n4], options).
 */
export class ResNet extends Module {
  conv1: Conv2d;
  bn1: Module;
  relu = new ReLU();
  maxpool: Module;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc: Linear;

  constructor(block: BlockType, layers: readonly number[], options: ResNetOptions = {}) {
    super();
    const op = `ResNet(${blockName(block)})`;
    const o = resolveOptions(op, layers, options);
    if (isPreAct(block)) throw new ArgumentError(`${op}: pre-activation blocks go in PreActResNet`);
    ({ conv1: this.conv1, maxpool: this.maxpool } = stem(o.cifarStem, 64));
    this.bn1 = o.normLayer(64);
    const b = new StageBuilder(64, block, o.groups, o.widthPerGroup, o.normLayer, projection(o.normLayer));
    this.layer1 = b.stage(64, layers[0]!);
    this.layer2 = b.stage(128, layers[1]!, 2, o.dilate[0]);
    this.layer3 = b.stage(256, layers[2]!, 2, o.dilate[1]);
    this.layer4 = b.stage(512, layers[3]!, 2, o.dilate[2]);
    this.fc = new Linear(512 * block.expansion, o.numClasses);
    initResNet(this, o.zeroInitResidual);
  }


  /** x: [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    let h = this.maxpool.call(F.relu(this.bn1.call(this.conv1.call(x))));
    h = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(h))));
    return this.fc.call(F.flatten(this.avgpool.call(h), 1));
  }
}

/**
 * The pre-activation ResNet v2 (Identity Mappings): conv1, maxpool, layer1..layer4 of pre-activation
 * blocks, bn, relu, avgpool, fc. new PreActResNet(PreActBasicBlock | PreActBottleneck, layers, options).
 */
export class PreActResNet extends Module {
  conv1: Conv2d;
  maxpool: Module;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  /** The extra BN + ReLU after the last addition. */
  bn: Module;
  relu = new ReLU();
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc: Linear;

  constructor(block: BlockType, layers: readonly number[], options: ResNetOptions = {}) {
    super();
    const op = `PreActResNet(${blockName(block)})`;
    const o = resolveOptions(op, layers, options);
    if (!isPreAct(block)) throw new ArgumentError(`${op}: the block must be PreActBasicBlock or PreActBottleneck`);
    ({ conv1: this.conv1, maxpool: this.maxpool } = stem(o.cifarStem, 64));
    const b = new StageBuilder(64, block, o.groups, o.widthPerGroup, o.normLayer, (i, out, s) => conv1x1(i, out, s));
    this.layer1 = b.stage(64, layers[0]!);
    this.layer2 = b.stage(128, layers[1]!, 2, o.dilate[0]);
    this.layer3 = b.stage(256, layers[2]!, 2, o.dilate[1]);
    this.layer4 = b.stage(512, layers[3]!, 2, o.dilate[2]);
    this.bn = o.normLayer(512 * block.expansion);
    this.fc = new Linear(512 * block.expansion, o.numClasses);
    initResNet(this, o.zeroInitResidual);
  }


  forward(x: Tensor): Tensor {
    let h = this.maxpool.call(this.conv1.call(x));
    h = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(h))));
    h = F.relu(this.bn.call(h));
    return this.fc.call(F.flatten(this.avgpool.call(h), 1));
  }
}

export interface CifarResNetOptions {
  /** Default 10. */
  numClasses?: number;
  /** 'A' (default, the paper's): subsample + zero-pad, no parameters; 'B': 1x1 conv + BN projections. */
  shortcut?: 'A' | 'B';
  zeroInitResidual?: boolean;
  normLayer?: NormLayer;
}

const CIFAR_OPTIONS = ['numClasses', 'shortcut', 'zeroInitResidual', 'normLayer'] as const;

/**
 * The CIFAR-10 ResNet of depth 6n + 2 (He et al. 2015, Section 4.2): conv1 (3x3, 16), bn1, relu,
 * layer1..layer3 (n BasicBlocks each; 16, 32, 64 planes), avgpool, fc. new CifarResNet(depth, options).
 */
export class CifarResNet extends Module {
  conv1: Conv2d;
  bn1: Module;
  relu = new ReLU();
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc: Linear;
  readonly depth: number;
  readonly shortcut: 'A' | 'B';

  constructor(depth: number, options: CifarResNetOptions = {}) {
    super();
    const op = `CifarResNet(${depth})`;
    checkOptions(op, options, CIFAR_OPTIONS);
    if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new ArgumentError(`${op}: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got ${depth}`);
    const numClasses = positiveInt(op, 'numClasses', options.numClasses ?? 10);
    const shortcut = options.shortcut ?? 'A';
    if (shortcut !== 'A' && shortcut !== 'B') throw new ArgumentError(`${op}: shortcut must be 'A' or 'B', got '${String(shortcut)}'`);
    const normLayer = options.normLayer ?? batchNorm;
    this.depth = depth;
    this.shortcut = shortcut;
    const n = (depth - 2) / 6;
    this.conv1 = conv3x3(3, 16);
    this.bn1 = normLayer(16);
    const b = new StageBuilder(16, BasicBlock, 1, 64, normLayer, shortcut === 'A' ? (i, out, s) => new PadShortcut(i, out, s) : projection(normLayer));
    this.layer1 = b.stage(16, n);
    this.layer2 = b.stage(32, n, 2);
    this.layer3 = b.stage(64, n, 2);
    this.fc = new Linear(64, numClasses);
    initResNet(this, Boolean(options.zeroInitResidual));
  }


  /** x: [N, 3, 32, 32] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    let h = F.relu(this.bn1.call(this.conv1.call(x)));
    h = this.layer3.call(this.layer2.call(this.layer1.call(h)));
    return this.fc.call(F.flatten(this.avgpool.call(h), 1));
  }
}

// ---- builders (torchvision's names, camelCased) ----

function preset(op: string, options: ResNetOptions, fixed: Partial<ResNetOptions>): ResNetOptions {
  checkOptions(op, options, RESNET_OPTIONS);
  for (const k of Object.keys(fixed)) {
    if (k in options) throw new ArgumentError(`${op}: option '${k}' is fixed by this builder (${JSON.stringify((fixed as Record<string, unknown>)[k])})`);
  }
  return { ...options, ...fixed };
}

/** ResNet-18: BasicBlock [2, 2, 2, 2], 11.7M parameters. */
export const resnet18 = (options: ResNetOptions = {}): ResNet => new ResNet(BasicBlock, [2, 2, 2, 2], preset('resnet18', options, {}));
/** ResNet-34: BasicBlock [3, 4, 6, 3], 21.8M parameters. */
export const resnet34 = (options: ResNetOptions = {}): ResNet => new ResNet(BasicBlock, [3, 4, 6, 3], preset('resnet34', options, {}));
/** ResNet-50: Bottleneck [3, 4, 6, 3], 25.6M parameters. */
export const resnet50 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 6, 3], preset('resnet50', options, {}));
/** ResNet-101: Bottleneck [3, 4, 23, 3], 44.5M parameters. */
export const resnet101 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 23, 3], preset('resnet101', options, {}));
/** ResNet-152: Bottleneck [3, 8, 36, 3], 60.2M parameters. */
export const resnet152 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 8, 36, 3], preset('resnet152', options, {}));
/** ResNeXt-50 32x4d: Bottleneck [3, 4, 6, 3], groups 32, widthPerGroup 4; 25.0M parameters. */
export const resnext50_32x4d = (options: ResNetOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 6, 3], preset('resnext50_32x4d', options, { groups: 32, widthPerGroup: 4 }));
/** ResNeXt-101 32x8d: Bottleneck [3, 4, 23, 3], groups 32, widthPerGroup 8; 88.8M parameters. */
export const resnext101_32x8d = (options: ResNetOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 23, 3], preset('resnext101_32x8d', options, { groups: 32, widthPerGroup: 8 }));
/** ResNeXt-101 64x4d: Bottleneck [3, 4, 23, 3], groups 64, widthPerGroup 4; 83.5M parameters. */
export const resnext101_64x4d = (options: ResNetOptions = {}): ResNet =>
  new ResNet(Bottleneck, [3, 4, 23, 3], preset('resnext101_64x4d', options, { groups: 64, widthPerGroup: 4 }));
/** Wide ResNet-50-2: Bottleneck [3, 4, 6, 3], widthPerGroup 128; 68.9M parameters. */
export const wideResnet50_2 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 6, 3], preset('wideResnet50_2', options, { widthPerGroup: 128 }));
/** Wide ResNet-101-2: Bottleneck [3, 4, 23, 3], widthPerGroup 128; 126.9M parameters. */
export const wideResnet101_2 = (options: ResNetOptions = {}): ResNet => new ResNet(Bottleneck, [3, 4, 23, 3], preset('wideResnet101_2', options, { widthPerGroup: 128 }));

/** Pre-activation ResNet-18: PreActBasicBlock [2, 2, 2, 2]. */
export const preactResnet18 = (options: ResNetOptions = {}): PreActResNet => new PreActResNet(PreActBasicBlock, [2, 2, 2, 2], preset('preactResnet18', options, {}));
/** Pre-activation ResNet-34: PreActBasicBlock [3, 4, 6, 3]. */
export const preactResnet34 = (options: ResNetOptions = {}): PreActResNet => new PreActResNet(PreActBasicBlock, [3, 4, 6, 3], preset('preactResnet34', options, {}));
/** Pre-activation ResNet-50: PreActBottleneck [3, 4, 6, 3]. */
export const preactResnet50 = (options: ResNetOptions = {}): PreActResNet => new PreActResNet(PreActBottleneck, [3, 4, 6, 3], preset('preactResnet50', options, {}));
/** Pre-activation ResNet-101: PreActBottleneck [3, 4, 23, 3]. */
export const preactResnet101 = (options: ResNetOptions = {}): PreActResNet => new PreActResNet(PreActBottleneck, [3, 4, 23, 3], preset('preactResnet101', options, {}));
/** Pre-activation ResNet-152: PreActBottleneck [3, 8, 36, 3]. */
export const preactResnet152 = (options: ResNetOptions = {}): PreActResNet => new PreActResNet(PreActBottleneck, [3, 8, 36, 3], preset('preactResnet152', options, {}));

/** CIFAR ResNet-20 (n = 3), 0.27M parameters with option-A shortcuts. */
export const resnet20 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(20, options);
/** CIFAR ResNet-32 (n = 5), 0.46M parameters. */
export const resnet32 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(32, options);
/** CIFAR ResNet-44 (n = 7), 0.66M parameters. */
export const resnet44 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(44, options);
/** CIFAR ResNet-56 (n = 9), 0.85M parameters. */
export const resnet56 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(56, options);
/** CIFAR ResNet-110 (n = 18), 1.7M parameters. */
export const resnet110 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(110, options);
/** CIFAR ResNet-1202 (n = 200), 19.4M parameters. */
export const resnet1202 = (options: CifarResNetOptions = {}): CifarResNet => new CifarResNet(1202, options);
