// Node module hooks that give `import text from './file.wgsl?raw'` the same meaning as in Vite: the file's text as
// the default export. Registered by scripts/register-raw.mjs so CLIs and benchmarks run the very same kernel modules
// in Node (via tsx) as the browser does.
import { readFile } from 'node:fs/promises';

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('?raw')) {
    const r = await nextResolve(specifier.slice(0, -4), context);
    return { url: `${r.url}?raw`, shortCircuit: true, format: 'module' };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.endsWith('?raw')) {
    const text = await readFile(new URL(url.slice(0, -4)), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
