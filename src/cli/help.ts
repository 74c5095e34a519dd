export const HELP = `normlab — Batch, Layer, Instance, Group and RMS normalization, exact to PyTorch 1.13

Usage:
  normlab normalize --method M --in X.npy --out Y.npy [options]   normalize a tensor, write .npy files
  normlab stats     --method M --in X.npy [options]                per-set statistics as JSON on stdout
  normlab inspect   FILE [--json] [--tensor NAME]                  list a tensor file's tensors with statistics
  normlab train     --model SPEC.json --data DATA [options]        train a small CNN / MLP with SGD (docs/training.md)
  normlab experiment fig1|curves|groups|custom [options]          the GN paper's experiments in miniature (docs/experiments.md)
  normlab --help | --version

Normalization options (normalize and stats):
  --method batch|layer|instance|group|rms    which normalization (required)
  --layout NCHW|NHWC          stored layout of X for batch/instance/group; NHWC = channels last for any rank
                              (default NCHW). layer/rms always normalize the trailing stored dims.
  --in FILE                   input: float32 or float64 .npy, logical shape (N, C, *spatial), rank 2-5
  --tensor NAME               tensor to take from a multi-tensor file (npz, safetensors, pt)
  --eps E                     added to the variance (default 1e-5); must be > 0
  --groups G                  group: number of groups; must divide C
  --normalized-shape a,b      layer/rms: trailing dims to normalize over (default: the last dim)
  --training 0|1              batch/instance: training mode (default 1)
  --momentum m|none           batch/instance: weight of the NEW batch statistic in the running average
                              (default 0.1); none = cumulative average using --num-batches-tracked (batch only)
  --num-batches-tracked k     batch: num_batches_tracked before this call (default 0)
  --use-input-stats 0|1       instance: normalize with the input's own stats (default: training or no running stats)
  --weight W.npy --bias B.npy affine parameters: per channel (batch/instance/group) or per element of
                              normalized_shape (layer/rms); rms has no bias
  --running-mean-in F --running-var-in F     running statistics (batch/instance), shape (C)

Outputs (normalize):
  --out Y.npy                 float32 result, same stored shape and layout as X (required)
  --mean-out F --var-out F    float64 per-set mean and biased variance, in logical order:
                              batch (C), instance (N, C), group (N, G), layer/rms the leading dims
  --rstd-out F                float64 1/sqrt(var + eps) actually used per set
  --ms-out F                  rms: float64 mean(x^2) per set
  --running-mean-out F --running-var-out F   updated running stats (float64, shape (C)); running_var stores
                              the UNBIASED variance, y uses the biased one (PyTorch)
  --force                     replace output files that exist (without it they are refused, before any work);
                              outputs are written to a temp file in the same folder and renamed: all or nothing

Gradients (normalize): the backward pass of the same call, for the loss sum(y * dy)
  --dy DY.npy                 upstream gradient, same stored shape as X
  --dx-out F                  float32 dx, same stored shape and layout as X (required with --dy)
  --dweight-out F --dbias-out F   float64 gradients of weight and bias (need --weight / --bias)
                              eval mode (running statistics) treats mean and var as constants, as PyTorch does

Training (train):
  --model SPEC.json           {"input_shape": [C, H, W], "layers": [["Conv2d", {...}], ...]}: torch.nn names and
                              keyword arguments (nn.Sequential); state dict keys "0.weight", "1.running_mean", ...
  --data DATA [--labels F]    an .npz with x (N,C,H,W) or (N,H,W) and integer y (N,), or images (IDX, .gz or
                              not, or .npy) with a labels file. uint8 images are scaled to [0, 1] and
                              standardized with the training set's mean and std (stored with --save)
  --val-data DATA [--val-labels F]   evaluated in eval mode after every epoch
  --standardize               standardize float data too (default: float data are used as given)
  --epochs E (1)  --batch-size B (32)  --seed S (0)   shuffling (last single sample dropped) and initialisation
  --lr L (0.1)  --momentum M (0)  --weight-decay W (0)  --nesterov     torch.optim.SGD, cross-entropy (mean)
  --schedule constant|cosine|step:E1,E2   lr schedule (default constant; step = x0.1 at those epochs)
  --warmup-epochs W           linear warm-up of the lr over W epochs      --scale-lr   lr = L * B / 32
  --init STATE                start from a .safetensors / .pt state dict instead of the seeded initialisation
  --order O.npy               int (steps, batch) sample indices of every step; replaces shuffling and epochs
  --save F.safetensors        the trained state dict (load_state_dict accepts it); --force replaces an existing one
  --eval-in X.npy --eval-logits-out Y.npy   eval-mode logits of X with the trained model (float32)
  --workers N (1)             split every batch across N worker threads (BatchNorm statistics, gradients and
                              the loss added up each step): the same result as one worker within float32
                              rounding; pays on idle cores (see docs/training-speed.md). Batches need ≥ N samples
  --json                      one JSON object on stdout: losses (per step), epochs, examples_per_second, ...
  Progress and an ETA go to stderr; Ctrl-C stops between steps (exit 130, nothing saved).

Experiment options (a preset, then --config, then these flags; the whole config is checked before any run):
  --config FILE               JSON with any experiment settings (model, norms, batchSizes, seeds, epochs, lr,
                              scaleLrByBatch, momentum, weightDecay, nesterov, schedule, warmupEpochs, trainSize,
                              valSize, data); the shape of results.json's "config"
  --model SPEC.json           the model (*.normlab-model.json); its norm layers are swapped per method
  --data DATA [--labels FILE] training data: .npz with x and y, or images (IDX/.npy) + labels (default: the
                              bundled Fashion-MNIST subset)
  --val-data DATA [--val-labels FILE]   validation data (default with --data: the last --val-size training samples)
  --train-size N --val-size N the first N samples used; --epochs E; --seeds K (runs use seeds 0..K-1); --lr BASE
  --batch-sizes 32,16,8,4,2   --methods bn,gn,ln,in (gn:G = G groups, gn/C = C channels per group)
  --workers N                 runs in parallel (default: one per core)
  --out DIR                   results.json and results.csv (default .normlab/experiments/<preset>-<time>/)
  --json                      print results.json on stdout;  --export-torch FILE: write a PyTorch train.py instead

Errors: exit code 2 and one line on stderr starting "normlab: ".
`;
