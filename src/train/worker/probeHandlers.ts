/**
 * Evaluate requests, handled in the studio worker: the section's context (weights, tiles, labels, ablation factors),
 * label files (add, clear), the probe and the ablation jobs (probeJobs.ts), and cancellation.
 *
 * State lives in a WeakMap keyed by the worker state (the shared context has no Evaluate field): the accepted labels
 * and the job in progress. One job runs at a time; it is claimed before the first await, so a second request cannot
 * slip in while the first prepares. Label requests never wait for a job: the job took its own copy of the labels.
 * Invariants: a refused file, a failed or a cancelled job leave the labels, the data and the model as they were;
 * label summaries are recomputed against the data loaded now (cached while neither changes).
 */
import type { Dataset } from '../../data/dataset';
import type { ExperimentResult, LabelSummary, LabelUpdate, ProbeContext, ProbeReplies, ProbeRequest, ProbeRunReply } from '../protocol/probe';
import type { WorkerState } from './context';
import { currentConfig, currentDataset } from './dataHandlers';
import { currentWeightsConfig, experimentJob, probeJob, studioMessage } from './probeJobs';
import { addLabelFiles, probeLabelsOf, summarizeLabels, type LabelSet } from './probeLabels';
import { factorChoices } from './probeSettings';

interface ProbeWorkerState {
  labels: LabelSet | null;
  job: { kind: 'probe' | 'experiment'; abort: AbortController } | null;
  summary: { set: LabelSet; dataset: Dataset | null; value: LabelSummary } | null;
  /** Label requests run one at a time (a drop while another is read must not lose either). */
  queue: Promise<unknown>;
}

const states = new WeakMap<WorkerState, ProbeWorkerState>();

function probeState(state: WorkerState): ProbeWorkerState {
  let st = states.get(state);
  if (!st) states.set(state, (st = { labels: null, job: null, summary: null, queue: Promise.resolve() }));
  return st;
}

function serial<T>(st: ProbeWorkerState, fn: () => Promise<T>): Promise<T> {
  const run = st.queue.then(fn, fn);
  st.queue = run.catch(() => undefined);
  return run;
}

/** The loaded dataset, or null when there is none (labels can be added before data). */
function datasetOrNull(state: WorkerState): Dataset | null {
  try {
    return currentDataset(state);
  } catch {
    return null;
  }
}

async function labelSummary(state: WorkerState, st: ProbeWorkerState): Promise<LabelSummary | null> {
  if (!st.labels) return null;
  const dataset = datasetOrNull(state);
  if (st.summary && st.summary.set === st.labels && st.summary.dataset === dataset) return st.summary.value;
  const value = await summarizeLabels(st.labels, dataset);
  st.summary = { set: st.labels, dataset, value };
  return value;
}

async function context(state: WorkerState): Promise<ProbeContext> {
  const st = probeState(state);
  const labels = await labelSummary(state, st);
  let dataset: Dataset;
  try {
    dataset = currentDataset(state);
  } catch (e) {
    return { missing: studioMessage(e), weights: null, tiles: 0, samples: [], labels, factors: [] };
  }
  try {
    const { config, info } = currentWeightsConfig(state);
    return {
      missing: dataset.tileCount === 0 ? 'The loaded data has no validation tile (the images are smaller than one sample). Load larger images, or make samples smaller in the Model section.' : null,
      weights: info,
      tiles: dataset.tileCount,
      samples: config.modalities.map((m) => `${m.name}: ${m.bands.length} band${m.bands.length === 1 ? '' : 's'}, ${m.dates} date${m.dates === 1 ? '' : 's'}, ${m.imageSize} px`),
      labels,
      factors: ablationFactors(state),
    };
  } catch (e) {
    return { missing: studioMessage(e), weights: null, tiles: dataset.tileCount, samples: [], labels, factors: [] };
  }
}

/** The ablation's choices: around the Model section's configuration (the base of every variant), not the trainer's. */
function ablationFactors(state: WorkerState) {
  try {
    return factorChoices(currentConfig(state));
  } catch {
    return [];
  }
}

/** Claims the job slot (synchronously), runs `fn`, frees the slot. */
async function withJob<T>(st: ProbeWorkerState, kind: 'probe' | 'experiment', fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (st.job) throw new Error(`${st.job.kind === 'probe' ? 'A probe' : 'An ablation'} is already running; wait for it or cancel it first.`);
  const job = { kind, abort: new AbortController() };
  st.job = job;
  try {
    return await fn(job.abort.signal);
  } finally {
    st.job = null;
  }
}

function labelsForJob(st: ProbeWorkerState) {
  if (!st.labels) throw new Error('No labels yet: add a label raster (e.g. Fmask files) or a CSV/JSON file of tile labels first.');
  return probeLabelsOf(st.labels);
}

export async function handleProbeRequest(state: WorkerState, req: ProbeRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  const st = probeState(state);
  switch (req.kind) {
    case 'probe.context':
      return { value: (await context(state)) satisfies ProbeReplies['probe.context'] };
    case 'probe.labels.add':
      return {
        value: await serial(st, async (): Promise<LabelUpdate> => {
          const r = await addLabelFiles(st.labels, req.files);
          st.labels = r.set;
          return { labels: await labelSummary(state, st), problems: r.problems, messages: r.messages };
        }),
      };
    case 'probe.labels.clear':
      return {
        value: await serial(st, async (): Promise<LabelUpdate> => {
          const had = st.labels;
          st.labels = null;
          st.summary = null;
          const what = !had ? 'There were no labels.' : had.kind === 'tiles' ? `Removed the tile labels of ${had.path}.` : `Removed ${had.rasters.length} label raster${had.rasters.length === 1 ? '' : 's'}.`;
          return { labels: null, problems: [], messages: [what] };
        }),
      };
    case 'probe.run': {
      const value: ProbeRunReply = await withJob(st, 'probe', async (signal) => {
        try {
          return { status: 'done', result: await probeJob(state, labelsForJob(st), req.settings, signal) };
        } catch (e) {
          if (signal.aborted) return { status: 'cancelled' };
          throw new Error(studioMessage(e), { cause: e });
        }
      });
      return { value };
    }
    case 'probe.experiment': {
      const value: ExperimentResult = await withJob(st, 'experiment', async (signal) => {
        try {
          return await experimentJob(state, labelsForJob(st), req.settings, signal);
        } catch (e) {
          throw new Error(studioMessage(e), { cause: e });
        }
      });
      return { value };
    }
    case 'probe.cancel': {
      const running = st.job !== null;
      st.job?.abort.abort();
      return { value: running };
    }
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { kind: string }).kind}`);
    }
  }
}
