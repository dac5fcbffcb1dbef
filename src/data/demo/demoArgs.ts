/**
 * Command-line arguments of `npm run demo-data` (src/cli/demoData.ts), parsed without Node APIs so they can be tested
 * in the unit tier: `--out DIR [--seed S] [--size PX] [--aerial-gsd M] [--no-scl] [--landcover] [--json] [--help]`.
 *
 * Invariants: every option is validated here with a message naming the option and the accepted values; the
 * generator's own validation (scene.ts) is the single source of the ranges.
 */
import { AERIAL_GSDS, DEFAULT_AERIAL_GSD, DEFAULT_SEED, DEFAULT_SIZE, MAX_SIZE, MIN_SIZE, validateSceneOptions } from './scene';

export interface DemoCliArgs {
  help: boolean;
  out: string;
  seed: number;
  size: number;
  aerialGsd: number;
  scl: boolean;
  landcover: boolean;
  json: boolean;
}

export const DEMO_USAGE = `Usage: npm run demo-data -- --out DIR [options]

Writes the EO-MAE Studio demo dataset: a seeded synthetic landscape (fields with crop phenology, forest, river and
lakes, a town, clouds and shadows) near Bonneval, France (WGS 84 / UTM 31N), as georeferenced GeoTIFFs:
  12 Sentinel-2 L2A 10-band images (one per month, uint16 DN) + 12 SCL cloud masks,
  8 + 8 Sentinel-1 VV/VH images ascending and descending (float32 dB),
  1 aerial RGB-NIR orthophoto (uint8).

Options:
  --out DIR          folder to write into (created if missing)
  --seed S           integer seed; the same seed gives identical files (default ${DEFAULT_SEED})
  --size PX          Sentinel pixels per side at 10 m, ${MIN_SIZE}..${MAX_SIZE} (default ${DEFAULT_SIZE} = ${(DEFAULT_SIZE * 10) / 1000} km)
  --aerial-gsd M     aerial pixel size in metres: ${AERIAL_GSDS.join(', ')} (default ${DEFAULT_AERIAL_GSD})
  --no-scl           do not write the SCL cloud masks
  --landcover        also write the 10 m land-cover truth (demo_landcover_10m.tif)
  --json             print a JSON summary as the last line
  -h, --help         show this help`;

export class DemoArgsError extends Error {}

/** Parses argv (without the node and script paths). Throws DemoArgsError with a readable message. */
export function parseDemoArgs(argv: readonly string[]): DemoCliArgs {
  const args: DemoCliArgs = { help: false, out: '', seed: DEFAULT_SEED, size: DEFAULT_SIZE, aerialGsd: DEFAULT_AERIAL_GSD, scl: true, landcover: false, json: false };
  const value = (name: string, inline: string | undefined, i: number): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new DemoArgsError(`${name} needs a value`);
    return [v, i + 1];
  };
  const number = (name: string, v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new DemoArgsError(`${name} must be a number, got "${v}"`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    let v: string;
    switch (flag) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--out':
        [v, i] = value(flag, inline, i);
        args.out = v;
        break;
      case '--seed':
        [v, i] = value(flag, inline, i);
        args.seed = number(flag, v);
        break;
      case '--size':
        [v, i] = value(flag, inline, i);
        args.size = number(flag, v);
        break;
      case '--aerial-gsd':
        [v, i] = value(flag, inline, i);
        args.aerialGsd = number(flag, v);
        break;
      case '--no-scl':
        args.scl = false;
        break;
      case '--landcover':
        args.landcover = true;
        break;
      case '--json':
        args.json = true;
        break;
      default:
        throw new DemoArgsError(`unknown option "${argv[i]}"`);
    }
  }
  if (args.help) return args;
  if (!args.out) throw new DemoArgsError('--out DIR is required');
  try {
    validateSceneOptions({ seed: args.seed, size: args.size, aerialGsd: args.aerialGsd });
  } catch (e) {
    throw new DemoArgsError(e instanceof Error ? e.message : String(e));
  }
  return args;
}
