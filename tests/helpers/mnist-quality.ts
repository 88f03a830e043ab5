import * as tf from '@tensorflow/tfjs-core';

/**
 * Sample-quality probes for MNIST-like data in [-1, 1], cheap enough for a test:
 * - a softmax-regression digit classifier trained on the real training digits, whose predictions on samples give
 *   how many digit classes the samples cover and how confidently they read as digits;
 * - the distance from each sample to its nearest real training digit (blobs and noise are far from every digit);
 * - the mean pairwise distance among samples, against that among real digits (a collapsed generator repeats itself).
 */
export interface DigitQuality {
  /** Distinct classes among samples the classifier assigns with probability > 0.8. */
  readonly classesCovered: number;
  /** Fraction of samples classified with probability > 0.8. */
  readonly confidentFraction: number;
  /** Mean L2 distance from a sample to its nearest training digit. */
  readonly nearestDistance: number;
  /** Mean pairwise L2 distance among the samples. */
  readonly diversity: number;
}

export class DigitJudge {
  private constructor(
    private readonly weights: tf.Variable,
    private readonly bias: tf.Variable,
    private readonly train: tf.Tensor2D,
    private readonly trainNorms: tf.Tensor1D,
  ) {}

  /** Fits softmax regression on `images` ([n, 784] in [-1, 1]) and `labels` ([n] int32), seeded. */
  static async fit(images: tf.Tensor2D, labels: tf.Tensor1D, seed = 1): Promise<DigitJudge> {
    const weights = tf.variable(tf.zeros([784, 10]));
    const bias = tf.variable(tf.zeros([10]));
    const optimizer = tf.train.adam(0.01);
    const oneHot = tf.oneHot(labels, 10);
    const n = images.shape[0];
    for (let step = 0; step < 300; step++) {
      tf.tidy(() => {
        const idx = tf.randomUniform([256], 0, n, 'int32', seed * 100_000 + step);
        const x = tf.gather(images, idx);
        const y = tf.gather(oneHot, idx);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, weights), bias)) as tf.Scalar, false, [
          weights,
          bias,
        ]);
      });
    }
    oneHot.dispose();
    optimizer.dispose();
    const trainNorms = tf.tidy(() => tf.sum(tf.square(images), 1) as tf.Tensor1D);
    return new DigitJudge(weights, bias, tf.clone(images), trainNorms);
  }

  /** Classification accuracy on labelled digits (a sanity check of the judge itself). */
  async accuracy(images: tf.Tensor2D, labels: tf.Tensor1D): Promise<number> {
    const correct = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(this.logits(images), 1), labels), 'float32')));
    const [value] = await correct.data();
    correct.dispose();
    return value!;
  }

  async judge(samples: tf.Tensor): Promise<DigitQuality> {
    const stats = tf.tidy(() => {
      const x = tf.reshape(samples, [-1, 784]) as tf.Tensor2D;
      const probs = tf.softmax(this.logits(x));
      const confidence = tf.max(probs, 1);
      const classes = tf.argMax(probs, 1);
      const norms = tf.sum(tf.square(x), 1);
      // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, for every sample against every training digit at once.
      const toTrain = tf.add(tf.sub(tf.expandDims(norms, 1), tf.mul(2, tf.matMul(x, this.train, false, true))), this.trainNorms);
      const nearest = tf.mean(tf.sqrt(tf.relu(tf.min(toTrain, 1))));
      const pairwise = tf.add(tf.sub(tf.expandDims(norms, 1), tf.mul(2, tf.matMul(x, x, false, true))), norms);
      const n = x.shape[0];
      const diversity = tf.div(tf.sum(tf.sqrt(tf.relu(pairwise))), n * (n - 1));
      return [confidence, classes, tf.stack([nearest, diversity])];
    });
    const [confidence, classes, pair] = await Promise.all(stats.map((t) => t.data()));
    tf.dispose(stats);
    const confidentClasses = new Set<number>();
    let confident = 0;
    confidence!.forEach((c, i) => {
      if (c > 0.8) {
        confident++;
        confidentClasses.add(classes![i]!);
      }
    });
    return {
      classesCovered: confidentClasses.size,
      confidentFraction: confident / confidence!.length,
      nearestDistance: pair![0]!,
      diversity: pair![1]!,
    };
  }

  dispose(): void {
    tf.dispose([this.weights, this.bias, this.train, this.trainNorms]);
  }

  private logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weights), this.bias);
  }
}
