// Unit tests of derived figures and the text/JSON report (bench/report.ts): rates, fraction of peak, speed-up,
// skip and failure cells, peer columns only where a peer ran.
import { describe, expect, it } from 'vitest';
import type { Measured, Outcome } from './measure';
import { deriveRow, renderSection, renderSuite, timeCell, type Section, type SuiteResult } from './report';
import { summarize } from './stats';

const measured = (ms: number): Measured => ({ kind: 'measured', ms, method: 'timestamp', reps: 3, inner: 1, summary: summarize([ms, ms, ms]), samples: [ms, ms, ms], warmupMs: ms });
const skipped: Outcome = { kind: 'skipped', reason: 'skipped (over budget on a software adapter)', detail: 'est', estimateMs: 9e3 };

const matmulSection = (): Section => ({
  id: 'matmul',
  title: 'Matmul',
  rate: { name: 'GFLOP/s', scale: 1e-9 },
  work: { name: 'GFLOP', scale: 1e-9 },
  vsPeak: true,
  rows: [],
  notes: ['a note'],
});

describe('deriveRow', () => {
  it('computes rates, fraction of the FMA peak and the speed-up over the peer', () => {
    const s = matmulSection();
    const row = deriveRow({ id: 'm', label: 'm', shape: 's', params: {}, work: 2e9, ours: measured(500), peer: measured(1000) }, s, 8);
    expect(row.derived.oursRate).toBeCloseTo(4, 12); // 2 GFLOP in 0.5 s
    expect(row.derived.peerRate).toBeCloseTo(2, 12);
    expect(row.derived.fractionOfPeak).toBeCloseTo(0.5, 12);
    expect(row.derived.speedup).toBeCloseTo(2, 12);
  });

  it('derives nothing from a skipped or failed figure', () => {
    const row = deriveRow({ id: 'm', label: 'm', shape: 's', params: {}, work: 2e9, ours: skipped, peer: { kind: 'failed', error: 'oom' } }, matmulSection(), 8);
    expect(row.derived).toEqual({});
  });

  it('with a different peer work the speed-up is the rate ratio (equal work: the time ratio)', () => {
    const bw = { ...matmulSection(), vsPeak: false, rate: { name: 'MB/s', scale: 1e-6 } };
    // ours 3 MB in 1.5 s = 2 MB/s; peer 1 MB in 0.25 s = 4 MB/s.
    const row = deriveRow({ id: 'd', label: 'd', shape: 's', params: {}, work: 3e6, peerWork: 1e6, ours: measured(1500), peer: measured(250) }, bw);
    expect(row.derived.oursRate).toBeCloseTo(2, 12);
    expect(row.derived.peerRate).toBeCloseTo(4, 12);
    expect(row.derived.speedup).toBeCloseTo(0.5, 12);
    expect(deriveRow({ id: 'd', label: 'd', shape: 's', params: {}, work: 3e6, peerWork: 3e6, ours: measured(1500), peer: measured(250) }, bw).derived.speedup).toBeCloseTo(250 / 1500, 12);
  });

  it('no fraction of peak in a bandwidth section or without a measured peak', () => {
    const bw = { ...matmulSection(), vsPeak: false, rate: { name: 'GB/s', scale: 1e-9 } };
    expect(deriveRow({ id: 'g', label: 'g', shape: 's', params: {}, work: 1e9, ours: measured(1000) }, bw, 8).derived).toEqual({ oursRate: 1 });
    expect(deriveRow({ id: 'g', label: 'g', shape: 's', params: {}, work: 1e9, ours: measured(1000) }, matmulSection()).derived.fractionOfPeak).toBeUndefined();
  });
});

describe('rendering', () => {
  it('time cells: median with half the interquartile spread, the skip text, or the failure', () => {
    expect(timeCell(measured(12.34))).toBe('12.3 ms ±0 %');
    expect(timeCell(skipped)).toBe('skipped (over budget on a software adapter)');
    expect(timeCell({ kind: 'failed', error: 'boom' })).toBe('failed: boom');
    expect(timeCell(undefined)).toBe('–');
  });

  it('peer columns appear only when a peer ran; the FMA-peak column only in vsPeak sections', () => {
    const s = matmulSection();
    s.rows.push(deriveRow({ id: 'm', label: 'square 4', shape: '(4×4)·(4×4)', params: {}, work: 2e9, ours: measured(500), peer: measured(1000) }, s, 8));
    const withPeer = renderSection(s, { name: 'TF.js', version: '4.22.0', backend: 'webgpu' });
    expect(withPeer).toContain('| case');
    expect(withPeer).toContain('% of FMA peak');
    expect(withPeer).toContain('speed-up vs TF.js');
    expect(withPeer).toMatch(/\| +2\.00× \|/);
    expect(withPeer).toContain('- a note');
    const nodeOnly = { ...s, rows: s.rows.map((r) => ({ ...r, peer: undefined })) };
    const noPeer = renderSection(nodeOnly, null);
    expect(noPeer).not.toContain('TF.js');
    expect(noPeer).toMatch(/\| +50\.0 % \|/);
  });

  it('extra columns follow the standard ones, filled from the row cells or a dash', () => {
    const s: Section = { ...matmulSection(), vsPeak: false, columns: [{ key: 'steps', header: 'ours steps/s' }, { key: 'mem', header: 'memory', align: 'l' }] };
    s.rows.push(deriveRow({ id: 'a', label: 'tiny', shape: 's', params: {}, work: 1e9, ours: measured(500), cells: { steps: '2.00' } }, s));
    const text = renderSection(s, null);
    const [header, rule, row] = text.split('\n').slice(2, 5);
    expect(header).toMatch(/\| ours GFLOP\/s \| ours steps\/s \| memory \|$/);
    expect(rule).toMatch(/\|-+:\|-+\|$/); // right-aligned number column, then the left-aligned one
    expect(row).toMatch(/\| +2\.00 \| –  +\|$/);
  });

  it('the suite header names runtime, adapter, peer (or why none) and the FMA peak; the record is plain JSON', () => {
    const s = matmulSection();
    s.rows.push(deriveRow({ id: 'm', label: 'square 4', shape: 's', params: { M: 4 }, work: 2e9, ours: measured(500) }, s, 8));
    const r: SuiteResult = {
      suite: 'kernels',
      runtime: 'node',
      host: 'Node v20 + Dawn',
      adapter: { name: 'llvmpipe', vendor: 'mesa', architecture: 'software', description: 'llvmpipe', isSoftware: true, features: ['timestamp-query'] },
      peer: null,
      peerAbsent: 'no peer in Node',
      fmaPeakGflops: 8,
      settings: { quick: true, budgetS: 6, timing: 'ours: GPU timestamp queries' },
      sections: [s],
      startedAt: '2026-01-01T00:00:00.000Z',
      durationS: 1.5,
    };
    const text = renderSuite(r);
    expect(text).toContain('## kernels — node: Node v20 + Dawn');
    expect(text).toContain('llvmpipe (CPU emulation)');
    expect(text).toContain('peer: none — no peer in Node');
    expect(text).toContain('measured FMA peak: 8.00 GFLOP/s');
    expect(text).toContain('(--quick)');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
