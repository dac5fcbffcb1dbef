/**
 * The suite registry. To add a suite (train, data, infer, …): write bench/suites/<name>.ts exporting a `Suite`
 * (bench/suites/types.ts) and add it to this list; `npm run bench -- <name>` and the bench page pick it up.
 */
import { dataSuite } from './data';
import { inferSuite } from './infer';
import { kernelsSuite } from './kernels';
import { trainSuite } from './train';
import type { Suite } from './types';

export const SUITES: readonly Suite[] = [kernelsSuite, trainSuite, dataSuite, inferSuite];

export function findSuite(name: string): Suite | undefined {
  return SUITES.find((s) => s.name === name);
}
