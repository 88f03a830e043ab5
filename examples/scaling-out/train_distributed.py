"""Step 2 of the scaling-out round trip (see README.md beside this file).

Loads the two networks that export.ts wrote (tfjs-layers format) into Keras 3, trains them as a GAN with the
library's objective (non-saturating L_G, L_D from logits) under tf.distribute.MirroredStrategy, and writes the trained
weights back beside the unchanged topology, so that tfjs-layers loads them.

    python examples/scaling-out/train_distributed.py --dir out/scaling-out --replicas 2 --steps 1000

Needs tensorflow (tested: tensorflow-cpu 2.21.0, Keras 3.15.1) and h5py; not tensorflowjs, whose converter needs
tf_keras. Without GPUs, --replicas splits the CPU into that many logical devices: the replicas then share the same
cores, so this shows the mechanics of data parallelism, not a speed-up. On a machine with GPUs, pass --replicas 0 to
mirror over every GPU.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def tfjs_to_h5(model_dir, h5_path):
    """Writes a tfjs-layers model (model.json + weights.bin) as a Keras-2 style .h5 file, the legacy format Keras 3
    still loads with keras.saving.load_model. tfjs-layers writes the Keras-2 layers JSON, so the topology is copied
    as it is; the weights are laid out per layer, in the manifest's order (which is each layer's weight order)."""
    with open(os.path.join(model_dir, "model.json")) as f:
        model_json = json.load(f)
    specs = [w for group in model_json["weightsManifest"] for w in group["weights"]]
    paths = [p for group in model_json["weightsManifest"] for p in group["paths"]]
    data = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in paths)
    offset = 0
    layers = {}  # layer name -> [(weight name, array)], in order
    for spec in specs:
        if spec["dtype"] != "float32" or "quantization" in spec:
            raise ValueError(f"{spec['name']}: only unquantized float32 weights are handled here")
        count = int(np.prod(spec["shape"], dtype=np.int64))
        values = np.frombuffer(data, dtype="<f4", count=count, offset=offset).reshape(spec["shape"])
        offset += 4 * count
        layer = spec["name"].rsplit("/", 1)[0]
        layers.setdefault(layer, []).append((spec["name"], values))
    topology = model_json["modelTopology"]
    with h5py.File(h5_path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"  # the layers-JSON dialect tfjs-layers writes
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": topology["class_name"], "config": topology["config"]})
        weights = f.create_group("model_weights")
        names = [layer["config"]["name"] for layer in topology["config"]["layers"]]
        weights.attrs["layer_names"] = [n.encode() for n in names]
        for name in names:
            group = weights.create_group(name)
            entries = layers.pop(name, [])
            group.attrs["weight_names"] = [w.encode() for w, _ in entries]
            for w, values in entries:
                group.create_dataset(w, data=values)
    if layers:
        raise ValueError(f"weights of unknown layers: {sorted(layers)}")


def write_tfjs_weights(model, model_dir, out_dir):
    """Writes `model`'s weights as weights.bin beside a copy of the original model.json (same topology, same
    manifest). Matched by name: tfjs lists every trainable weight before the non-trainable ones (batch-norm
    statistics), Keras lists each layer's weights together."""
    with open(os.path.join(model_dir, "model.json")) as f:
        model_json = json.load(f)
    specs = [w for group in model_json["weightsManifest"] for w in group["weights"]]
    by_name = {f"{layer.name}/{w.name}": w for layer in model.layers for w in layer.weights}
    if sorted(by_name) != sorted(s["name"] for s in specs):
        raise ValueError(f"weights differ: {sorted(by_name)} vs {sorted(s['name'] for s in specs)}")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        for spec in specs:
            values = np.asarray(by_name[spec["name"]].numpy(), dtype="<f4")
            if list(values.shape) != spec["shape"]:
                raise ValueError(f"{spec['name']}: shape {values.shape} vs {spec['shape']}")
            f.write(values.tobytes())
    model_json["weightsManifest"] = [{"paths": ["weights.bin"], "weights": specs}]
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(model_json, f)


class GANTrainer(keras.Model):
    """One D update on a real batch against fresh fakes, then one G update through D; each network has its own Adam
    and each update moves only its own network's weights, as the library's GAN does."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Both networks are built already; building the optimizers here creates their slots under the strategy's
        # scope, mirrored on every replica, rather than lazily inside a replica's step.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        # Per-replica batch; the optimizers sum gradients over replicas, so each replica's mean loss is divided by
        # their number (what Keras's own compute_loss does), and the summed gradient is that of the global mean.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        n = tf.shape(real)[0]
        z = tf.random.normal((n, self.latent_dim))
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            # L_D = -log D(x) - log(1 - D(G(z))) = softplus(-real) + softplus(fake), from logits
            d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))
            scaled = d_loss / tf.cast(replicas, d_loss.dtype)
        grads = tape.gradient(scaled, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = tf.reduce_mean(tf.nn.softplus(-fake_logits))  # L_G = -log D(G(z))
            scaled = g_loss / tf.cast(replicas, g_loss.dtype)
        grads = tape.gradient(scaled, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="out/scaling-out")
    parser.add_argument("--replicas", type=int, default=2, help="logical CPU devices to mirror over; 0: all GPUs")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64, help="examples per replica per step")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if args.replicas > 0:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.replicas)
        strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(args.replicas)])
    else:
        strategy = tf.distribute.MirroredStrategy()
    keras.utils.set_random_seed(args.seed)
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {strategy.num_replicas_in_sync} replicas")

    d = args.dir
    for name in ("generator", "discriminator"):
        tfjs_to_h5(os.path.join(d, name), os.path.join(d, f"{name}.h5"))
    with strategy.scope():
        generator = keras.saving.load_model(os.path.join(d, "generator.h5"), compile=False)
        discriminator = keras.saving.load_model(os.path.join(d, "discriminator.h5"), compile=False)
        latent_dim = generator.input_shape[-1]
        gan = GANTrainer(generator, discriminator, latent_dim)
        gan.compile(
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999, epsilon=1e-7),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999, epsilon=1e-7),
        )

    z = np.fromfile(os.path.join(d, "z.f32"), dtype="<f4").reshape(-1, latent_dim)
    before = np.fromfile(os.path.join(d, "g-tfjs.f32"), dtype="<f4").reshape(len(z), -1)
    imported = generator(z, training=False).numpy().reshape(len(z), -1)
    print(f"imported generator vs tfjs on the same z: max |difference| {np.abs(imported - before).max():.3g}")

    images = np.fromfile(os.path.join(d, "mnist.f32"), dtype="<f4").reshape(-1, 784)
    global_batch = args.batch_size * strategy.num_replicas_in_sync
    data = (
        tf.data.Dataset.from_tensor_slices(images)
        .shuffle(len(images), seed=args.seed)
        .repeat()
        .batch(global_batch, drop_remainder=True)
    )
    start = time.time()
    history = gan.fit(data, epochs=1, steps_per_epoch=args.steps, shuffle=False, verbose=0)
    seconds = time.time() - start
    logs = {k: round(float(v[-1]), 4) for k, v in history.history.items()}
    print(f"trained {args.steps} steps of {global_batch} in {seconds:.0f} s: mean losses {logs}")

    write_tfjs_weights(generator, os.path.join(d, "generator"), os.path.join(d, "generator-trained"))
    write_tfjs_weights(discriminator, os.path.join(d, "discriminator"), os.path.join(d, "discriminator-trained"))
    generator(z, training=False).numpy().astype("<f4").tofile(os.path.join(d, "g-keras.f32"))
    print(f"wrote {d}/generator-trained, {d}/discriminator-trained and g-keras.f32")


if __name__ == "__main__":
    main()
