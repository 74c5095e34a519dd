// The experiments panel (host side): one instance, revived after a reload by its serializer (webviewPanel.ts). It validates every
// webview message, reads the data (the bundled subset or files the user picked, known to the webview only by
// token), runs the experiment's runs as 'train' jobs in the worker pool, forwards their progress, and saves
// results.json / results.csv (and chart PNGs on request) under .normlab/experiments/<preset>-<time>/.
import * as vscode from 'vscode';
import { checkExperiment } from '../experiments/check';
import { labelledFromBytes, prepareExperimentData, type Labelled } from '../experiments/data';
import { expandGrid } from '../experiments/grid';
import { experimentFolderName, parseResults, resultsCsv, resultsJson } from '../experiments/results';
import { Experiment } from '../experiments/runner';
import { torchScript } from '../experiments/torchScript';
import type { DataSource, ExperimentConfig, ExperimentResults } from '../experiments/types';
import {
  parseExperimentsMessage, type DataPick, type ExperimentsRequests, type HostToExperiments, type PanelConfig, type PastExperiment,
} from '../protocol/experiments';
import { EXPERIMENTS_STRINGS } from '../protocol/experimentsStrings';
import { parseShownRecord, SHOWN_KEY, showsAlready, type ShownRecord } from './experimentsShown';
import { UserError } from './userErrors';
import type { Services } from './services';
import { poolStartRun } from './trainInPool';
import { localizedStrings, PanelHost, PanelSlot } from './webviewPanel';

const BUNDLED_NAME = 'Fashion-MNIST subset (bundled)';
const EXPERIMENTS_DIR = ['.normlab', 'experiments'];

/** What the panel shows: an experiment by its folder under .normlab/experiments, or (folder null) a results.json from
 * elsewhere by the URI the host got from the editor it was opened in. */
interface Shown {
  folder: string | null;
  file?: vscode.Uri;
  results: ExperimentResults;
}

/** A data file the user picked: an .npz, or images + labels. */
type PickedData = { kind: 'npz'; uri: vscode.Uri } | { kind: 'idx'; images: vscode.Uri; labels: vscode.Uri };

interface Running {
  experiment: Experiment;
  folder: string;
  dir: vscode.Uri;
}

export class ExperimentsPanel {
  static readonly viewType = 'normlab.experiments';
  private static readonly slot = new PanelSlot({
    viewType: ExperimentsPanel.viewType, script: 'experiments.js', css: 'experiments.css', documentTitle: 'NormLab Experiments',
    title: () => vscode.l10n.t('NormLab Experiments'), logName: 'experiments',
  }, (panel, services) => new ExperimentsPanel(panel, services));

  readonly host: PanelHost<ExperimentsRequests, HostToExperiments>;
  private readonly tokens = new Map<string, PickedData>();
  private running: Running | null = null;
  /** What the panel shows (sent again when the webview reloads; kept in the workspace state by setShown). */
  private shown: Shown | null = null;
  /** The webview said 'ready' (messages posted before are answered by the ready handler instead). */
  private ready = false;
  /** The user opened a results.json before the webview was ready: the form takes its configuration once it is. */
  private adoptWhenReady = false;

  static createOrShow(services: Services): ExperimentsPanel {
    return ExperimentsPanel.slot.show(services);
  }

  static registerSerializer(services: Services): void {
    ExperimentsPanel.slot.registerSerializer(services);
  }

  /** Shows a results.json (opened from the explorer) in the panel: by its folder under .normlab/experiments, or by file. */
  static showResults(services: Services, results: ExperimentResults, folder: string | null, file: vscode.Uri): void {
    const p = ExperimentsPanel.createOrShow(services);
    p.setShown(folder === null ? { folder, file, results } : { folder, results });
    if (p.ready) p.postShown(true);
    else p.adoptWhenReady = true;
  }

  private constructor(panel: vscode.WebviewPanel, private readonly services: Services) {
    this.host = new PanelHost<ExperimentsRequests, HostToExperiments>(panel, ExperimentsPanel.slot.kind, services, {
      parse: parseExperimentsMessage,
      handlers: {
        start: (p) => this.start(p.config),
        cancel: async (p) => {
          if (p.index === null) this.running?.experiment.cancelAll();
          else this.running?.experiment.cancel(p.index);
          return null;
        },
        pickData: (p) => this.pickData(p.role),
        listPast: () => this.listPast(),
        openPast: (p) => this.openPast(p.folder),
        openShownFile: () => this.openShownFile(),
        savePng: (p) => this.savePng(p.folder, p.name, p.png),
        exportTorch: (p) => this.exportTorch(p.config),
        revealFolder: async (p) => {
          await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.joinPath(this.experimentsRoot(), p.folder));
          return null;
        },
      },
      onReady: () => {
        this.ready = true;
        this.post({ type: 'init', strings: localizedStrings(EXPERIMENTS_STRINGS), running: this.running !== null });
        this.postShown(this.adoptWhenReady);
        this.adoptWhenReady = false;
      },
      onDispose: () => {
        this.running?.experiment.cancelAll();
        // Closed: nothing is shown any more (a window reload does not close the panel: it is revived).
        void services.context.workspaceState.update(SHOWN_KEY, undefined);
      },
    });
  }

  /** What the panel shows, also kept in the workspace state: a reload revives the panel showing the same. */
  private setShown(shown: Shown | null): void {
    this.shown = shown;
    const record: ShownRecord | undefined = !shown ? undefined
      : shown.folder !== null ? { kind: 'folder', folder: shown.folder }
      : shown.file ? { kind: 'file', uri: shown.file.toString() } : undefined;
    void this.services.context.workspaceState.update(SHOWN_KEY, record);
  }

  private post(m: HostToExperiments): void {
    this.host.post(m);
  }

  private postShown(adopt = false): void {
    if (!this.shown) return;
    const { folder, file, results } = this.shown;
    this.post({ type: 'show', folder, ...(file ? { file: vscode.workspace.asRelativePath(file) } : {}), results, running: this.running !== null, ...(adopt ? { adopt } : {}) });
  }

  // ---------- where things are ----------

  /** .normlab/experiments in the first workspace folder (or the extension's storage without a workspace). */
  private experimentsRoot(): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? this.services.context.globalStorageUri;
    return vscode.Uri.joinPath(folder, ...EXPERIMENTS_DIR);
  }

  private bundled(split: 'train' | 'test'): vscode.Uri {
    return vscode.Uri.joinPath(this.services.context.extensionUri, 'examples', 'data', `fashion-mnist-${split}.npz`);
  }

  private picked(p: DataPick & { kind: 'file' }): PickedData {
    const d = this.tokens.get(p.token);
    if (!d) throw new UserError(vscode.l10n.t('the data file {0} is no longer known (the window was reloaded?): pick it again', p.label));
    return d;
  }

  /** The config as results.json and train.py see it: data by (workspace-relative) path. */
  private resolveConfig(c: PanelConfig): ExperimentConfig {
    const rel = (u: vscode.Uri) => vscode.workspace.asRelativePath(u, false);
    const source = (p: DataPick, role: 'train' | 'val'): DataSource => {
      if (p.kind === 'bundled') return { kind: 'bundled', split: role === 'train' ? 'train' : 'test' };
      const d = this.picked(p);
      return d.kind === 'npz' ? { kind: 'npz', path: rel(d.uri) } : { kind: 'idx', images: rel(d.images), labels: rel(d.labels) };
    };
    // Bundled validation data only pairs with bundled training data; with a picked training file it is held out.
    const val = c.data.val === null || (c.data.val.kind === 'bundled' && c.data.train.kind !== 'bundled') ? null : source(c.data.val, 'val');
    return { ...c, data: { train: source(c.data.train, 'train'), val } };
  }

  private async readData(p: DataPick, role: 'train' | 'val'): Promise<Labelled> {
    const read = async (uri: vscode.Uri) => ({ bytes: await vscode.workspace.fs.readFile(uri), name: uri.path.split('/').pop() ?? uri.path });
    if (p.kind === 'bundled') return labelledFromBytes({ npz: await read(this.bundled(role === 'train' ? 'train' : 'test')) });
    const d = this.picked(p);
    return labelledFromBytes(d.kind === 'npz' ? { npz: await read(d.uri) } : { images: await read(d.images), labels: await read(d.labels) });
  }

  // ---------- requests ----------

  private async start(panelConfig: PanelConfig): Promise<{ folder: string; results: ExperimentResults }> {
    if (this.running) throw new UserError(vscode.l10n.t('an experiment is running: wait for it or cancel it first'));
    const config = this.resolveConfig(panelConfig);
    checkExperiment(config);
    const train = await this.readData(panelConfig.data.train, 'train');
    const val = config.data.val === null ? null : await this.readData(panelConfig.data.val!, 'val');
    const dataName = panelConfig.data.train.kind === 'bundled' ? BUNDLED_NAME : panelConfig.data.train.label;
    const data = prepareExperimentData(config, train, val, dataName);
    const runs = expandGrid(config);
    const started = new Date();
    const folder = experimentFolderName(config.preset, started);
    const dir = vscode.Uri.joinPath(this.experimentsRoot(), folder);
    await vscode.workspace.fs.createDirectory(dir);
    const pool = this.services.pool;
    let saving = Promise.resolve();
    const save = (r: ExperimentResults) => {
      saving = saving.then(() => this.writeResults(dir, r)).catch((e: unknown) => this.services.reportError(e, vscode.l10n.t('Save experiment results')));
      return saving;
    };
    const experiment = new Experiment({
      config, runs, data: data.description, engine: `normlab ${this.services.context.extension.packageJSON.version as string}`,
      workers: Math.min(pool.size, runs.length), startRun: poolStartRun(pool, config, data),
      onEvent: (event) => {
        this.post({ type: 'event', event });
        if (event.type === 'run' && event.record.status !== 'running') void save(experiment.results);
      },
    });
    this.running = { experiment, folder, dir };
    this.setShown({ folder, results: experiment.results });
    this.services.log.info(`experiment ${folder}: ${runs.length} runs on ${Math.min(pool.size, runs.length)} worker(s)`);
    void experiment.done.then(async (results) => {
      await save(results);
      this.running = null;
      this.setShown({ folder, results });
      this.post({ type: 'finished', folder, results });
    });
    await save(experiment.results);
    return { folder, results: experiment.results };
  }

  private async writeResults(dir: vscode.Uri, r: ExperimentResults): Promise<void> {
    const enc = new TextEncoder();
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'results.json'), enc.encode(resultsJson(r)));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'results.csv'), enc.encode(resultsCsv(r)));
  }

  private async pickData(role: 'train' | 'val'): Promise<DataPick | null> {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      // MNIST's own files have no extension (train-labels-idx1-ubyte): hence 'All files' beside the known kinds.
      filters: { [vscode.l10n.t('Images and labels (.npz with x and y, or an IDX pair)')]: ['npz', 'gz', 'idx', 'idx1-ubyte', 'idx3-ubyte', 'ubyte', 'npy'], [vscode.l10n.t('All files')]: ['*'] },
      title: role === 'train' ? vscode.l10n.t('Training data: an .npz with x and y, or an IDX image file and its label file') : vscode.l10n.t('Validation data: an .npz with x and y, or an IDX image file and its label file'),
    });
    if (!uris || uris.length === 0) return null;
    const name = (u: vscode.Uri) => u.path.split('/').pop() ?? u.path;
    let d: PickedData;
    if (uris.length === 1 && /\.npz$/i.test(uris[0].path)) {
      d = { kind: 'npz', uri: uris[0] };
    } else if (uris.length === 2) {
      // The image file is the larger of the two.
      const sizes = await Promise.all(uris.map((u) => vscode.workspace.fs.stat(u).then((s) => s.size)));
      const [images, labels] = sizes[0] >= sizes[1] ? [uris[0], uris[1]] : [uris[1], uris[0]];
      d = { kind: 'idx', images, labels };
    } else if (uris.length === 1) {
      const labels = await vscode.window.showOpenDialog({
        canSelectMany: false, defaultUri: uris[0], title: vscode.l10n.t('The label file for {0}', name(uris[0])),
        filters: { [vscode.l10n.t('Labels (IDX or .npy)')]: ['gz', 'idx', 'idx1-ubyte', 'ubyte', 'npy'], [vscode.l10n.t('All files')]: ['*'] },
      });
      if (!labels?.[0]) return null;
      d = { kind: 'idx', images: uris[0], labels: labels[0] };
    } else {
      throw new UserError(vscode.l10n.t('expected one .npz, or an image file and a label file; found {0} files', uris.length));
    }
    const token = `${this.tokens.size + 1}-${Math.random().toString(36).slice(2, 10)}`;
    this.tokens.set(token, d);
    const label = d.kind === 'npz' ? vscode.workspace.asRelativePath(d.uri) : `${vscode.workspace.asRelativePath(d.images)} + ${name(d.labels)}`;
    return { kind: 'file', token, label };
  }

  private async readResults(folder: string): Promise<ExperimentResults> {
    const uri = vscode.Uri.joinPath(this.experimentsRoot(), folder, 'results.json');
    const read = await readResultsFile(uri);
    if (read.kind === 'missing') throw new UserError(vscode.l10n.t('expected {0}, found no such file', vscode.workspace.asRelativePath(uri)));
    if (read.kind === 'invalid') throw new UserError(read.message);
    return read.results;
  }

  private async listPast(): Promise<PastExperiment[]> {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(this.experimentsRoot());
    } catch {
      return [];
    }
    const out: PastExperiment[] = [];
    for (const [folder, type] of entries) {
      if (type !== vscode.FileType.Directory || !/^[a-z0-9]+-\d{8}-\d{6}$/.test(folder)) continue;
      try {
        const r = await this.readResults(folder);
        out.push({ folder, preset: r.preset, created: r.created, runs: r.runs.length, finished: r.runs.filter((x) => x.status === 'done').length });
      } catch {
        // not a results folder (or damaged): not listed
      }
    }
    return out.sort((a, b) => b.created.localeCompare(a.created)).slice(0, 100);
  }

  private async openPast(folder: string): Promise<{ folder: string; results: ExperimentResults }> {
    if (this.running?.folder === folder) return { folder, results: this.running.experiment.results };
    const results = await this.readResults(folder);
    this.setShown({ folder, results });
    return { folder, results };
  }

  /** The revived panel showed a results.json from outside .normlab/experiments: read it again from the URI kept in
   * the workspace state (the request names no file). Gone or no longer results: the panel says so and forgets it. */
  private async openShownFile(): Promise<{ file: string; results: ExperimentResults }> {
    const record = parseShownRecord(this.services.context.workspaceState.get<unknown>(SHOWN_KEY));
    if (record?.kind !== 'file') {
      throw new UserError(vscode.l10n.t('The results.json this panel showed before the window was reloaded is no longer known: open it in the editor and choose Show in Experiments.'));
    }
    const uri = vscode.Uri.parse(record.uri, true);
    const rel = vscode.workspace.asRelativePath(uri);
    const read = await readResultsFile(uri);
    if (read.kind !== 'ok') {
      if (!this.shown) this.setShown(null);
      throw new UserError(read.kind === 'missing'
        ? vscode.l10n.t('{0}, which this panel showed, is gone (moved or deleted): open a results.json to show it here.', rel)
        : vscode.l10n.t('{0}, which this panel showed, no longer holds NormLab experiment results ({1}): open a results.json to show it here.', rel, read.message));
    }
    this.setShown({ folder: null, file: uri, results: read.results });
    return { file: rel, results: read.results };
  }

  private async savePng(folder: string | null, name: string, png: string): Promise<{ savedTo: string }> {
    let dir: vscode.Uri;
    if (folder !== null) dir = vscode.Uri.joinPath(this.experimentsRoot(), folder);
    else if (this.shown?.file) dir = vscode.Uri.joinPath(this.shown.file, '..');
    else throw new UserError(vscode.l10n.t('Run or open an experiment first.'));
    const uri = vscode.Uri.joinPath(dir, `${name}.png`);
    const bytes = Uint8Array.from(Buffer.from(png, 'base64'));
    if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x50) throw new UserError(vscode.l10n.t('expected a PNG image'));
    await vscode.workspace.fs.writeFile(uri, bytes);
    return { savedTo: vscode.workspace.asRelativePath(uri) };
  }

  private async exportTorch(panelConfig: PanelConfig): Promise<{ savedTo: string } | null> {
    const config = this.resolveConfig(panelConfig);
    checkExperiment(config);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const pathOf = (s: DataSource) => {
      if (s.kind === 'bundled') return { images: this.bundled(s.split).fsPath };
      const abs = (p: string) => (root ? vscode.Uri.joinPath(root, p).fsPath : p);
      return s.kind === 'npz' ? { images: abs(s.path) } : { images: abs(s.images), labels: abs(s.labels) };
    };
    const dataName = panelConfig.data.train.kind === 'bundled' ? BUNDLED_NAME : panelConfig.data.train.label;
    const text = torchScript(config, { pathOf, dataName });
    const target = await vscode.window.showSaveDialog({
      defaultUri: root ? vscode.Uri.joinPath(root, `train-${config.preset}.py`) : undefined,
      filters: { Python: ['py'] },
      title: vscode.l10n.t('Save the experiment as a PyTorch script'),
    });
    if (!target) return null;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    return { savedTo: vscode.workspace.asRelativePath(target) };
  }

  dispose(): void {
    this.host.dispose();
  }
}

/** A results.json read and parsed: missing (cannot be read), invalid (not NormLab results: why) or its results. */
async function readResultsFile(uri: vscode.Uri): Promise<{ kind: 'ok'; results: ExperimentResults } | { kind: 'missing' } | { kind: 'invalid'; message: string }> {
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return { kind: 'missing' };
  }
  try {
    return { kind: 'ok', results: parseResults(JSON.parse(text)) };
  } catch (e) {
    return { kind: 'invalid', message: e instanceof SyntaxError ? `${vscode.workspace.asRelativePath(uri)}: ${e.message}` : (e as Error).message };
  }
}

/** Offers to show a NormLab results.json in the panel when one is opened in an editor (not when the panel shows it
 * already, e.g. its editor and the panel both restored after a window reload). */
export function watchResultsFiles(services: Services): vscode.Disposable {
  const offered = new Set<string>();
  const check = async (doc: vscode.TextDocument) => {
    if (!doc.uri.path.endsWith('/results.json') || offered.has(doc.uri.toString())) return;
    const shown = parseShownRecord(services.context.workspaceState.get<unknown>(SHOWN_KEY));
    if (showsAlready(shown, { uri: doc.uri.toString(), folder: experimentFolderOf(doc.uri) })) return;
    let results: ExperimentResults;
    try {
      results = parseResults(JSON.parse(doc.getText()));
    } catch {
      return; // not ours
    }
    offered.add(doc.uri.toString());
    const show = vscode.l10n.t('Show in Experiments');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('{0} holds NormLab experiment results ({1} runs).', vscode.workspace.asRelativePath(doc.uri), results.runs.length), show);
    if (choice !== show) return;
    ExperimentsPanel.showResults(services, results, experimentFolderOf(doc.uri), doc.uri);
  };
  for (const doc of vscode.workspace.textDocuments) void check(doc);
  return vscode.workspace.onDidOpenTextDocument((doc) => void check(doc));
}

/** The folder name of a results.json in the workspace's .normlab/experiments/<folder>/ (where the panel lists and
 * reopens experiments), else null: e.g. one written by the exported PyTorch script elsewhere. */
function experimentFolderOf(uri: vscode.Uri): string | null {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) return null;
  const folder = uri.path.split('/').at(-2) ?? '';
  const expected = vscode.Uri.joinPath(root, ...EXPERIMENTS_DIR, folder, 'results.json');
  return expected.toString() === uri.toString() && /^[a-z0-9]+-\d{8}-\d{6}$/.test(folder) ? folder : null;
}
