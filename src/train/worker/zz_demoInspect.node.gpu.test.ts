import { it } from 'vitest';
import { testContext } from '../../gpu/testing/harness';
import type { InspectRunReply } from '../protocol/inspect';
import type { WorkerState } from './context';
import { handleDataRequest } from './dataHandlers';
import { handleInspectRequest } from './inspectHandlers';

it('demo', async () => {
  const ctx = await testContext();
  const state: WorkerState = { post: () => {}, device: async () => ctx, resetDevice() {}, data: null, train: null, inspect: null };
  await handleDataRequest(state, { kind: 'data.loadDemo', onlyIfEmpty: false });
  for (const strategy of ['random', 'anchor'] as const) {
    const r = (await handleInspectRequest(state, { kind: 'inspect.run', params: { sample: { kind: 'tile', index: 0 }, ratio: 0.75, strategy, maskSeed: 1 } })).value as InspectRunReply;
    console.log(strategy, r.meta.ms, r.meta.maskedTokens, r.meta.totalTokens, r.meta.overlayNote, r.meta.overlay && `${r.meta.overlay.rows}x${r.meta.overlay.cols} cov ${r.meta.overlay.coverage} anchor ${JSON.stringify(r.meta.overlay.anchor)}`);
    for (const m of r.meta.modalities) console.log(m.name, m.T, m.H, m.P, m.unit, m.rows.map((x) => `${x.key}:${x.label}`).join(' | '));
  }
}, 600_000);
