/**
 * `npm run demo-data -- --out DIR [--seed S] [--size PX] [--aerial-gsd M] [--no-scl] [--landcover] [--json]`:
 * writes the built-in demo dataset (src/data/demo) as GeoTIFF files into DIR and prints what was written — one line
 * per file (modality, acquisition time, size, cloud / nodata share) and the total size and generation time.
 * With --json the last stdout line is a JSON summary. Exit code 0 on success, 2 on bad arguments, 1 on other errors.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_USAGE, DemoArgsError, parseDemoArgs } from '../data/demo/demoArgs';
import { generateDemoDataset } from '../data/demo/generateDemoDataset';

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    if (e instanceof DemoArgsError) {
      console.error(`demo-data: ${e.message}\n\n${DEMO_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const out = path.resolve(args.out);
  await mkdir(out, { recursive: true });
  const t0 = performance.now();
  const files = generateDemoDataset({
    seed: args.seed,
    size: args.size,
    aerialGsd: args.aerialGsd,
    scl: args.scl,
    landcover: args.landcover,
    onProgress: (done, total) => {
      if (!args.json && process.stderr.isTTY) process.stderr.write(`\rgenerating ${done}/${total}`);
    },
  });
  const genMs = performance.now() - t0;
  if (!args.json && process.stderr.isTTY) process.stderr.write('\r');
  for (const f of files) await writeFile(path.join(out, f.name), new Uint8Array(f.bytes));
  const totalBytes = files.reduce((s, f) => s + f.bytes.byteLength, 0);

  if (!args.json) {
    console.log(`demo dataset: seed ${args.seed}, ${args.size}×${args.size} px at 10 m (${(args.size / 100).toFixed(2)} km), aerial ${args.aerialGsd} m → ${out}`);
    for (const f of files) {
      const extra = f.info.cloudPct !== undefined ? `cloud ${String(f.info.cloudPct).padStart(5)} %${Number(f.info.nodataPct) > 0 ? `, nodata ${f.info.nodataPct} %` : ''}` : '';
      const when = f.time ? f.time.slice(0, 16).replace('T', ' ') : '—';
      console.log(`  ${f.modality.padEnd(9)} ${when.padEnd(16)} ${(f.bytes.byteLength / 1e6).toFixed(2).padStart(6)} MB  ${f.name}${extra ? `  (${extra})` : ''}`);
    }
    console.log(`${files.length} files, ${(totalBytes / 1e6).toFixed(1)} MB, generated in ${(genMs / 1000).toFixed(2)} s`);
  } else {
    console.log(
      JSON.stringify({
        out,
        seed: args.seed,
        size: args.size,
        aerialGsd: args.aerialGsd,
        generationMs: Math.round(genMs),
        bytes: totalBytes,
        files: files.map((f) => ({ name: f.name, modality: f.modality, time: f.time, bytes: f.bytes.byteLength, ...f.info })),
      }),
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`demo-data: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
