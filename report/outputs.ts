/**
 * The thin outputs: `--out html=FILE` (the self-contained report, written at the end) and
 * `--out web-dashboard[=port=…&period=…&export=…]` / K6_WEB_DASHBOARD=true (a page on 127.0.0.1
 * updated over Server-Sent Events while the run lasts, the same charts as the report).
 * registerReportOutputs() hands them to engine/outputs' registry; cli/run.ts calls it, so the
 * engine never imports report/.
 */
import path from 'node:path';
import { webDashboardFromEnv, webDashboardFromOut, type WebDashboardSettings } from '../engine/config/web-dashboard.ts';
import { ConfigError } from '../engine/errors.ts';
import type { Sample } from '../engine/metrics/collector.ts';
import type { SummaryData } from '../engine/metrics/store.ts';
import type { TimelineDelta } from '../engine/metrics/timeline.ts';
import { registerOutputType, type Output, type OutputStartInfo } from '../engine/outputs/index.ts';
import type { ReportData } from './data.ts';
import type { DashboardServer } from './dashboard-server.ts';
import { jsonForScript, loadAssets, renderReportHtml } from './html.ts';
import { buildReportData, readMonitor, readRunMeta } from './model.ts';
import { RunRecorder } from './recorder.ts';
import { writeFileWhole } from '../engine/outputs/file-sink.ts';
import { nodeChildProcess } from '../engine/lazy-require.ts';

/** The title of a report: the scenario from run.json when there is one. */
function titleOf(meta: ReportData['meta']): string {
  return meta?.scenario ? `aetos-load: ${meta.scenario}${meta.profile ? ` (${meta.profile})` : ''}` : 'aetos-load report';
}

/** The final report data and page for a finished run; the folder's run.json and monitor.json are read when present. */
export function finalReport(summary: SummaryData, recorder: RunRecorder, file: string): { data: ReportData; html: string } {
  recorder.finish();
  const dir = path.dirname(file);
  const meta = readRunMeta(dir);
  const data = buildReportData(summary, recorder, { title: titleOf(meta), live: false, meta });
  const monitor = readMonitor(dir);
  if (monitor) data.monitor = monitor;
  return { data, html: renderReportHtml(data) };
}

export class HtmlOutput implements Output {
  readonly wantsSamples = false;
  /** Charts come from the workers' per-second aggregates, not raw samples (engine/metrics/timeline.ts). */
  readonly wantsTimeline = true;
  readonly description: string;
  private recorder = new RunRecorder();

  constructor(private readonly file: string) {
    this.description = `html (${file})`;
  }

  async start(info: OutputStartInfo): Promise<void> {
    loadAssets(); // a missing uplot fails the run before it starts, not after
    this.recorder = new RunRecorder((n) => info.definition(n));
  }

  addSamples(samples: readonly Sample[]): void {
    this.recorder.addSamples(samples);
  }

  addTimeline(timeline: TimelineDelta): void {
    this.recorder.addTimeline(timeline);
  }

  async stop(data: SummaryData): Promise<void> {
    writeFileWhole(this.file, finalReport(data, this.recorder, this.file).html);
  }
}

/** Opens the URL in the desktop's browser (K6_WEB_DASHBOARD_OPEN); a failure to do so is not the run's. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = nodeChildProcess().spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`web dashboard: could not open a browser (${cmd}); open ${url}\n`));
    child.unref();
  } catch {
    // reported above
  }
}

export class WebDashboardOutput implements Output {
  readonly wantsSamples = false;
  readonly wantsTimeline = true;
  readonly description: string;
  private recorder = new RunRecorder();
  private server: DashboardServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private info: OutputStartInfo | null = null;
  private startedAt = Date.now();

  constructor(
    readonly settings: WebDashboardSettings,
    private readonly exportFile: string | undefined,
  ) {
    this.description = `web-dashboard (http://${settings.host}:${settings.port}/${exportFile ? `, export ${exportFile}` : ''})`;
  }

  /** The server's address once started (port 0 picks a free one). */
  get url(): string | undefined {
    return this.server?.url;
  }

  private liveData(): ReportData {
    const now = Date.now();
    const thresholds = (this.info?.thresholds ?? []).flatMap((set) =>
      set.thresholds.map((t) => ({ metric: set.selector.name, source: t.source, ok: true, pending: true })),
    );
    const metrics = this.recorder.liveMetrics(now - this.startedAt) as ReportData['metrics'];
    return {
      v: 1,
      title: 'aetos-load live dashboard',
      startMs: this.recorder.startMs,
      endMs: this.recorder.endMs,
      live: true,
      passed: true,
      thresholds,
      metrics,
      durationMs: now - this.startedAt,
      checks: { name: '', path: '', id: '', groups: [], checks: [] },
      series: this.recorder.series(),
      requests: this.recorder.requests(),
    };
  }

  async start(info: OutputStartInfo): Promise<void> {
    this.info = info;
    this.startedAt = Date.now();
    this.recorder = new RunRecorder((n) => info.definition(n));
    const assets = loadAssets();
    // node:http loads with the server, not with every run that registers this output
    const { startDashboardServer } = await import('./dashboard-server.ts');
    try {
      this.server = await startDashboardServer(this.settings.host, this.settings.port, () =>
        renderReportHtml(this.liveData(), assets, { events: '/events' }),
      );
    } catch (err) {
      throw new ConfigError('web-dashboard', `cannot listen on ${this.settings.host}:${this.settings.port}: ${(err as Error).message}`);
    }
    process.stderr.write(`web dashboard: ${this.server.url}\n`);
    this.timer = setInterval(() => this.server?.publish(jsonForScript(this.liveData())), this.settings.periodMs);
    this.timer.unref();
    if (this.settings.open) openBrowser(this.server.url);
  }

  addSamples(samples: readonly Sample[]): void {
    this.recorder.addSamples(samples);
  }

  addTimeline(timeline: TimelineDelta): void {
    this.recorder.addTimeline(timeline);
  }

  async stop(data: SummaryData): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const file = this.exportFile ?? path.join(process.cwd(), 'report.html');
    const final = finalReport(data, this.recorder, file);
    try {
      if (this.exportFile) writeFileWhole(this.exportFile, final.html);
    } finally {
      // The last message carries the final verdict (live: false); the page stops listening.
      this.server?.publish(jsonForScript(final.data));
      await this.server?.close();
      this.server = null;
    }
  }
}

function htmlFactory(arg: string | undefined, ctx: { cwd: string }): Output {
  if (!arg) throw new ConfigError('out', '"html" needs a file name, e.g. --out html=report.html');
  return new HtmlOutput(path.resolve(ctx.cwd, arg));
}

function dashboardFactory(arg: string | undefined, ctx: { cwd: string; env: Record<string, string | undefined> }): Output {
  const base = webDashboardFromEnv(ctx.env);
  const s = arg === undefined ? base : webDashboardFromOut(arg, base);
  const exportFile = s.export ? path.resolve(ctx.cwd, s.export) : undefined;
  // K6_WEB_DASHBOARD_EXPORT alone: the report file without a server.
  if (!s.enabled) return new HtmlOutput(exportFile as string);
  return new WebDashboardOutput(s, exportFile);
}

let registered = false;
export function registerReportOutputs(): void {
  if (registered) return;
  registered = true;
  registerOutputType('html', htmlFactory);
  registerOutputType('web-dashboard', dashboardFactory);
}
