/**
 * What a benchmark run produces and how it is shown. A suite returns a SuiteResult per runtime (Node/Dawn or the
 * Chromium page): sections of rows, each row one case measured for our kernel and, where a peer library runs in the
 * same process or page, for the peer. Derived figures (rates, fraction of the measured FMA peak, speed-up over the
 * peer) are computed here once, so the table and the JSON record can never disagree. Everything is plain JSON (it
 * crosses from the page to Node through Playwright). Pure functions.
 */
import { fmtMs, fmtNum, fmtPct, fmtRatio, renderTable, type Align } from './format';
import type { Outcome } from './measure';

export type Runtime = 'node' | 'browser';
export const RUNTIMES: readonly Runtime[] = ['node', 'browser'];

export interface RateUnit {
  /** e.g. "GFLOP/s", "GB/s". */
  name: string;
  /** Multiplies work per second into the unit: 1e-9 for G-units. */
  scale: number;
}

export interface WorkUnit {
  /** e.g. "GFLOP", "MB". */
  name: string;
  scale: number;
}

export interface Derived {
  /** Our rate in the section's unit. */
  oursRate?: number;
  peerRate?: number;
  /** Our rate over the adapter's measured FMA peak (compute-bound sections only). */
  fractionOfPeak?: number;
  /** Our rate / the peer's rate: > 1 means ours is faster. With the same work on both sides (every suite but
   * `data`) this is the peer's time / our time. */
  speedup?: number;
}

export interface Row {
  /** Stable key, e.g. "matmul/square-512". */
  id: string;
  label: string;
  /** Shape in the project's notation, e.g. "(882×128)·(128×512)". */
  shape: string;
  params: Record<string, number | string>;
  /** FLOPs or bytes (see bench/flops.ts), the same for ours and the peer unless `peerWork` is given. */
  work: number;
  /** The peer's own work when it differs from ours (data suite: each side decodes the bytes it needs). */
  peerWork?: number;
  ours: Outcome;
  /** Absent when no peer runs in this runtime. */
  peer?: Outcome;
  derived: Derived;
  /** Pre-formatted cells of the section's extra `columns`, by column key ('–' where absent). */
  cells?: Record<string, string>;
}

/** A suite-specific column shown after the standard ones (steps/s, memory, pool speed-up, …). */
export interface ExtraColumn {
  key: string;
  header: string;
  align?: Align;
}

export interface Section {
  id: string;
  title: string;
  rate: RateUnit;
  work: WorkUnit;
  /** Show our rate as a fraction of the FMA peak. */
  vsPeak: boolean;
  rows: Row[];
  notes: string[];
  /** Extra columns after the standard ones; each row fills them through `Row.cells`. */
  columns?: ExtraColumn[];
}

export interface PeerInfo {
  name: string;
  version: string;
  backend: string;
}

export interface AdapterSummary {
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  isSoftware: boolean;
  features: string[];
}

export interface SuiteResult {
  suite: string;
  runtime: Runtime;
  /** e.g. "Node v20.19.0 + Dawn (npm webgpu)", "Chromium 156 (HeadlessChrome)". */
  host: string;
  adapter: AdapterSummary;
  peer: PeerInfo | null;
  /** Why there is no peer column, when there is none. */
  peerAbsent?: string;
  /** The adapter's measured FMA peak, GFLOP/s (kernel suite). */
  fmaPeakGflops?: number;
  settings: { quick: boolean; budgetS: number; timing: string };
  sections: Section[];
  startedAt: string;
  durationS: number;
}

export interface BenchReport {
  suite: string;
  date: string;
  command: string;
  /** Git commit of the working tree and whether src/, shaders/ or bench/ had uncommitted changes. */
  revision?: { commit: string; dirty: boolean };
  runs: SuiteResult[];
  /** Runtimes that failed outright (no adapter, page crash), with the message. */
  failures: { runtime: Runtime; error: string }[];
}

export function rateOf(work: number, outcome: Outcome | undefined, unit: RateUnit): number | undefined {
  return outcome?.kind === 'measured' && outcome.ms > 0 ? (work / (outcome.ms / 1000)) * unit.scale : undefined;
}

/** Fills `row.derived` from its outcomes; `peakRate` is the FMA peak in the section's rate unit (if relevant). */
export function deriveRow(row: Omit<Row, 'derived'>, section: Pick<Section, 'rate' | 'vsPeak'>, peakRate?: number): Row {
  const derived: Derived = {};
  const peerWork = row.peerWork ?? row.work;
  const oursRate = rateOf(row.work, row.ours, section.rate);
  const peerRate = rateOf(peerWork, row.peer, section.rate);
  if (oursRate !== undefined) derived.oursRate = oursRate;
  if (peerRate !== undefined) derived.peerRate = peerRate;
  if (section.vsPeak && oursRate !== undefined && peakRate) derived.fractionOfPeak = oursRate / peakRate;
  // Rate ratio, written as a time ratio scaled by the work ratio so that equal work gives exactly peer.ms / ours.ms.
  if (row.ours.kind === 'measured' && row.peer?.kind === 'measured' && peerWork > 0) derived.speedup = (row.peer.ms / row.ours.ms) * (row.work / peerWork);
  return { ...row, derived };
}

/** Table cell for a time: "12.3 ms ±0.8 %" (± half the interquartile spread), or the skip/failure text. */
export function timeCell(o: Outcome | undefined): string {
  if (!o) return '–';
  if (o.kind === 'skipped') return o.reason;
  if (o.kind === 'failed') return `failed: ${o.error.length > 70 ? `${o.error.slice(0, 67)}…` : o.error}`;
  return `${fmtMs(o.ms)} ±${fmtNum((o.summary.relSpread / 2) * 100)} %`;
}

export function renderSection(section: Section, peer: PeerInfo | null): string {
  const hasPeer = peer !== null && section.rows.some((r) => r.peer !== undefined);
  const peerName = peer?.name ?? 'peer';
  const headers = ['case', 'shape', section.work.name, 'ours', `ours ${section.rate.name}`];
  const align: Align[] = ['l', 'l', 'r', 'r', 'r'];
  if (section.vsPeak) {
    headers.push('% of FMA peak');
    align.push('r');
  }
  if (hasPeer) {
    headers.push(peerName, `${peerName} ${section.rate.name}`, `speed-up vs ${peerName}`);
    align.push('r', 'r', 'r');
  }
  const extra = section.columns ?? [];
  for (const c of extra) {
    headers.push(c.header);
    align.push(c.align ?? 'r');
  }
  const rows = section.rows.map((r) => {
    const d = r.derived;
    const cells = [r.label, r.shape, fmtNum(r.work * section.work.scale), timeCell(r.ours), d.oursRate === undefined ? '–' : fmtNum(d.oursRate)];
    if (section.vsPeak) cells.push(d.fractionOfPeak === undefined ? '–' : fmtPct(d.fractionOfPeak));
    if (hasPeer) cells.push(timeCell(r.peer), d.peerRate === undefined ? '–' : fmtNum(d.peerRate), d.speedup === undefined ? '–' : fmtRatio(d.speedup));
    for (const c of extra) cells.push(r.cells?.[c.key] ?? '–');
    return cells;
  });
  const notes = section.notes.map((n) => `- ${n}`);
  return [`### ${section.title}`, '', renderTable(headers, rows, align), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** The whole text report of one runtime: a header naming runtime, adapter and peer, then every section. */
export function renderSuite(r: SuiteResult): string {
  const head = [
    `## ${r.suite} — ${r.runtime}: ${r.host}`,
    '',
    `- adapter: ${r.adapter.name}${r.adapter.isSoftware ? ' (CPU emulation)' : ''}; features: ${r.adapter.features.join(', ') || 'none'}`,
    `- peer: ${r.peer ? `${r.peer.name} ${r.peer.version} (${r.peer.backend} backend), same ${r.runtime === 'browser' ? 'page' : 'process'}` : `none — ${r.peerAbsent ?? 'no peer in this runtime'}`}`,
    `- timing: ${r.settings.timing}; median of repetitions after a warm-up; budget ${r.settings.budgetS} s per figure${r.settings.quick ? ' (--quick)' : ''}`,
    ...(r.fmaPeakGflops !== undefined ? [`- measured FMA peak: ${fmtNum(r.fmaPeakGflops)} GFLOP/s`] : []),
    `- started ${r.startedAt}, took ${fmtNum(r.durationS)} s`,
  ];
  return [...head, '', ...r.sections.map((s) => renderSection(s, r.peer)).join('\n\n').split('\n')].join('\n');
}
