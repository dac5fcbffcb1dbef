#!/usr/bin/env node
// `npm test`: the whole suite, tier by tier, with the time each took and one summary at the end.
//   0. system packages (installs chromium + Mesa lavapipe when run as root; otherwise says what to run)
//   1. typecheck   2. lint (includes the architecture boundaries)
//   3. unit (Vitest, Node)   4. gpu-node (Vitest + Dawn)   5. gpu-browser (Vitest + Chromium)   6. e2e (Playwright)
// Every tier runs even if an earlier one failed, so one run shows everything that is wrong. Exit status is non-zero
// if any tier failed. `--only unit,gpu-node` runs a subset.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set(process.argv[i + 1].split(',')) : null;
})();

mkdirSync('test-results', { recursive: true });
const vitestJson = (name) => `test-results/${name}.json`;

const tiers = [
  { name: 'system', cmd: ['bash', 'scripts/setup-system.sh'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', cmd: ['npx', 'eslint', '--max-warnings', '0', '.'] },
  ...['unit', 'gpu-node', 'gpu-browser'].map((p) => ({
    name: p,
    cmd: [
      'npx', 'vitest', 'run', '--project', p, '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson(p)}`,
    ],
    counts: () => vitestCounts(vitestJson(p)),
  })),
  { name: 'build', cmd: ['npx', 'vite', 'build', '--logLevel', 'warn'] },
  {
    name: 'e2e',
    cmd: ['npx', 'playwright', 'test'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/e2e.json' },
    counts: () => playwrightCounts('test-results/e2e.json'),
  },
];

function vitestCounts(file) {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file) {
  if (!existsSync(file)) return null;
  const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0), skipped: s.skipped ?? 0 };
}

// ANSI colour codes stripped, long messages cut to their first lines.
function clip(message, lines = 12) {
  const text = String(message ?? '').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const kept = text.split('\n').slice(0, lines).join('\n');
  return kept.length > 1500 ? `${kept.slice(0, 1500)}…` : kept;
}

function vitestFailures() {
  const out = [];
  for (const tier of ['unit', 'gpu-node', 'gpu-browser']) {
    const file = vitestJson(tier);
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    for (const f of r.testResults ?? []) {
      if (f.status === 'failed' && (f.assertionResults ?? []).every((a) => a.status !== 'failed')) {
        out.push({ tier, name: f.name, message: f.message });
      }
      for (const a of f.assertionResults ?? []) {
        if (a.status === 'failed') out.push({ tier, name: `${f.name.replace(process.cwd() + '/', '')} › ${a.fullName}`, message: (a.failureMessages ?? []).join('\n') });
      }
    }
  }
  return out;
}

/** Every test of a Playwright JSON report with its spec title path. */
function playwrightTests(file) {
  if (!existsSync(file)) return [];
  const out = [];
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests ?? []) out.push({ name: [...titles, spec.title].filter(Boolean).join(' › '), test: t });
    for (const s of suite.suites ?? []) walk(s, [...titles, s.title]);
  };
  for (const s of JSON.parse(readFileSync(file, "utf8")).suites ?? []) walk(s, [s.title]);
  return out;
}

function playwrightFailures(file) {
  return playwrightTests(file)
    .filter(({ test }) => test.status === 'unexpected' || test.status === 'flaky')
    .map(({ name, test }) => ({ tier: 'e2e', name, message: (test.results ?? []).map((r) => r.error?.message ?? (r.errors ?? []).map((e) => e.message).join('\n')).join('\n') }));
}

function playwrightDurations(file) {
  return playwrightTests(file).map(({ name, test }) => ({ name, ok: test.status === 'expected', ms: (test.results ?? []).reduce((s, r) => s + (r.duration ?? 0), 0) }));
}

const results = [];
for (const tier of tiers) {
  if (only && !only.has(tier.name)) continue;
  for (const f of [vitestJson(tier.name), 'test-results/e2e.json']) if (tier.counts && existsSync(f)) rmSync(f);
  console.log(`\n━━━ ${tier.name} ━━━ ${tier.cmd.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(tier.cmd[0], tier.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...(tier.env ?? {}) } });
  const seconds = (performance.now() - t0) / 1000;
  const counts = tier.counts?.() ?? null;
  const ok = r.status === 0 && (!counts || (counts.failed === 0 && counts.passed > 0));
  results.push({ name: tier.name, ok, seconds, counts, status: r.status });
}

// What failed and why, right above the summary: CI logs often keep only the tail of the output.
const failures = [...vitestFailures(), ...playwrightFailures('test-results/e2e.json')];
if (failures.length) {
  console.log('\n━━━ failures ━━━');
  for (const f of failures.slice(0, 20)) console.log(`✗ ${f.tier}: ${f.name}\n    ${clip(f.message).split('\n').join('\n    ')}`);
}
const e2eTimes = playwrightDurations('test-results/e2e.json');
if (e2eTimes.length) {
  console.log('\n━━━ e2e test times ━━━');
  for (const t of e2eTimes) console.log(`${t.ok ? 'ok  ' : 'FAIL'} ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.name}`);
}

console.log('\n━━━ summary ━━━');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  const c = r.counts ? ` ${r.counts.passed} passed, ${r.counts.failed} failed${r.counts.skipped ? `, ${r.counts.skipped} skipped` : ''}` : '';
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(7)} s${c}`);
  if (r.counts) {
    passed += r.counts.passed;
    failed += r.counts.failed;
    skipped += r.counts.skipped;
  }
}
const total = results.reduce((s, r) => s + r.seconds, 0);
const badTiers = results.filter((r) => !r.ok).map((r) => r.name);
console.log(`total ${total.toFixed(1)} s${badTiers.length ? `; failed tiers: ${badTiers.join(', ')}` : ''}`);
if (skipped > 0) console.log(`note: ${skipped} tests were skipped; a skipped test is not a pass.`);
console.log(`Tests: ${passed} passed, ${failed + badTiers.filter((n) => !results.find((r) => r.name === n)?.counts).length} failed`);
process.exit(badTiers.length ? 1 : 0);
