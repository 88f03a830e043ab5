/**
 * An MNIST "judge" for the examples: the small digit classifier that `npm run example:classifier` trains, with its
 * weights committed in `examples/assets/mnist-classifier/` (model.json + weights.bin, tfjs's layers format). Its
 * penultimate layer (64 ReLU units) is the feature space of the MNIST Fréchet distance, and its softmax gives class
 * coverage, both through the library's metrics.
 *
 * The classifier was trained on the digits of {@link mnistTensors} with {@link CLASSIFIER_SPLIT} and never saw that
 * split's 1,000 test digits, so those are the held-out digits to compare generated ones with.
 *
 * Node loads the files with {@link fileHandler}; a browser page passes the URL of model.json instead (tfjs's own
 * `http` handler reads the same files), so this module has no static Node import.
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type ClassCoverage,
  type ClassCoverageOptions,
  type FeatureStatistics,
  classCoverage,
  featureStatistics,
  frechetDistance,
} from 'tfjs-generative';

/** The data split the classifier was trained with: `mnistTensors({ ...CLASSIFIER_SPLIT, range })`. */
export const CLASSIFIER_SPLIT = { seed: 1, testFraction: 0.1 } as const;

/** The pixel range the classifier was trained on; {@link MnistJudge} rescales other ranges to it. */
export const CLASSIFIER_RANGE: readonly [number, number] = [-1, 1];

/** Where the committed weights are, relative to the repository root. */
export const CLASSIFIER_DIR = 'examples/assets/mnist-classifier';

/** Name of the penultimate (feature) layer in the saved model. */
const FEATURE_LAYER = 'features';

/** Images the judge takes: `[n, 784]` or `[n, 28, 28, 1]`, float32, pixels in `range`. */
export type DigitImages = tf.Tensor2D | tf.Tensor4D;

/** Options of the judge's methods. */
export interface JudgeOptions {
  /** The images' pixel range, background first: `[-1, 1]` (tanh generators, the default) or `[0, 1]` (sigmoid). */
  readonly range?: readonly [number, number];
}

/**
 * A tfjs IO handler that saves and loads a layers model as `model.json` + `weights.bin` in directory `dir`, through
 * node:fs (imported on first use, so browser bundles that never call it do not need it).
 *
 * @example
 * ```ts
 * await model.save(fileHandler('examples/assets/mnist-classifier'));
 * const again = await tfl.loadLayersModel(fileHandler('examples/assets/mnist-classifier'));
 * ```
 */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await import('node:fs/promises');
      const { join } = await import('node:path');
      if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined) {
        throw new Error('fileHandler: the model has no weights to save.');
      }
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers([artifacts.weightData].flat()));
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(join(dir, 'weights.bin'), weights);
      await fs.writeFile(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = await import('node:fs/promises');
      const { join } = await import('node:path');
      const json = JSON.parse(await fs.readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const manifest = json.weightsManifest;
      const buffers = await Promise.all(
        manifest.flatMap((group) => group.paths).map(async (p) => new Uint8Array(await fs.readFile(join(dir, p)))),
      );
      const total = buffers.reduce((s, b) => s + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(b, offset);
        offset += b.byteLength;
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
      };
    },
  };
}

/**
 * The MNIST classifier as a judge of digits. Load it once with {@link MnistJudge.load}, call the methods as often as
 * needed and `dispose()` it at the end. Every method frees the tensors it makes and leaves its arguments alone.
 *
 * @example
 * ```ts
 * const judge = await MnistJudge.load();
 * const samples = gan.sample(1000); // [1000, 784] in [-1, 1]
 * const fd = await judge.mnistFrechetDistance(samples, heldOut);
 * const { covered } = await judge.mnistClassCoverage(samples);
 * judge.dispose();
 * ```
 */
export class MnistJudge {
  private constructor(private readonly classifier: tfl.LayersModel, private readonly featureModel: tfl.LayersModel) {}

  /**
   * Loads the classifier: from the committed files through node:fs by default, or from `source`, a tfjs IO handler
   * or a URL of model.json (in a browser, e.g. `'/assets/mnist-classifier/model.json'`).
   */
  static async load(source: string | tf.io.IOHandler = fileHandler(CLASSIFIER_DIR)): Promise<MnistJudge> {
    const classifier = await tfl.loadLayersModel(source);
    const featureModel = tfl.model({
      inputs: classifier.inputs,
      outputs: classifier.getLayer(FEATURE_LAYER).output,
    });
    return new MnistJudge(classifier, featureModel);
  }

  /** The classifier's logits `[n, 10]` for `images`; the caller disposes them. */
  logits(images: DigitImages, options: JudgeOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.classifier.predict(toClassifierInput(images, options.range)) as tf.Tensor2D);
  }

  /** Class probabilities `[n, 10]` (the softmax of the logits); the caller disposes them. */
  probabilities(images: DigitImages, options: JudgeOptions = {}): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.logits(images, options)));
  }

  /** The penultimate layer's activations `[n, 64]`, the features of the MNIST Fréchet distance; caller disposes. */
  judgeFeatures(images: DigitImages, options: JudgeOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.featureModel.predict(toClassifierInput(images, options.range)) as tf.Tensor2D);
  }

  /** Feature statistics of `images`, to compute once for a reference set and pass to {@link mnistFrechetDistance}. */
  async statistics(images: DigitImages, options: JudgeOptions = {}): Promise<FeatureStatistics> {
    const features = this.judgeFeatures(images, options);
    try {
      return await featureStatistics(features);
    } finally {
      features.dispose();
    }
  }

  /**
   * The MNIST Fréchet distance between `generated` and `real` digits (or the latter's {@link statistics}): the
   * library's `frechetDistance` on {@link judgeFeatures}. Compare only distances computed with the same sample sizes,
   * and report the distance between two sets of real digits of those sizes beside it as the floor.
   */
  async mnistFrechetDistance(
    generated: DigitImages,
    real: DigitImages | FeatureStatistics,
    options: JudgeOptions = {},
  ): Promise<number> {
    const realStats = real instanceof tf.Tensor ? await this.statistics(real, options) : real;
    return frechetDistance(realStats, await this.statistics(generated, options));
  }

  /** Class coverage of `generated` by the classifier's predictions: the library's `classCoverage` on the softmax. */
  async mnistClassCoverage(
    generated: DigitImages,
    options: JudgeOptions & ClassCoverageOptions = {},
  ): Promise<ClassCoverage> {
    const { range, ...coverageOptions } = options;
    const probabilities = this.probabilities(generated, range === undefined ? {} : { range });
    try {
      return await classCoverage(probabilities, coverageOptions);
    } finally {
      probabilities.dispose();
    }
  }

  /** Frees the classifier's weights. */
  dispose(): void {
    this.classifier.dispose();
  }
}

/** `[n, 784]` in the classifier's range from `[n, 784]` or `[n, 28, 28, 1]` in `range`. */
function toClassifierInput(images: DigitImages, range: readonly [number, number] = [-1, 1]): tf.Tensor2D {
  const [min, max] = range;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new RangeError(`judge: range must be [min, max] with min < max, received [${min}, ${max}].`);
  }
  const n = images.shape[0];
  const pixels = images.size / Math.max(n, 1);
  if (pixels !== 784 || !(images.rank === 2 || (images.rank === 4 && images.shape[3] === 1))) {
    throw new RangeError(`judge: images must be [n, 784] or [n, 28, 28, 1], received [${images.shape.join(', ')}].`);
  }
  return tf.tidy(() => {
    const flat = tf.reshape(images, [n, 784]) as tf.Tensor2D;
    const [lo, hi] = CLASSIFIER_RANGE;
    if (min === lo && max === hi) return tf.cast(flat, 'float32');
    const scale = (hi - lo) / (max - min);
    return tf.add(tf.mul(tf.sub(tf.cast(flat, 'float32'), min), scale), lo) as tf.Tensor2D;
  });
}
