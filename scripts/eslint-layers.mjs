// A small ESLint plugin enforcing the source layers (README "Architecture"): for each zone, a file whose
// repository-relative path matches `target` may not import (statically, dynamically or by re-export) a relative
// path that resolves to one matching `from`. Patterns are regular expressions over POSIX paths relative to the
// repository root; query suffixes such as `?raw` are ignored. Bare package imports are left to no-restricted-imports.
// Written here rather than taken from eslint-plugin-import-x, whose native resolver's per-platform optional packages
// are not all on this project's registry, which breaks `npm ci`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rel = (abs) => path.relative(root, abs).split(path.sep).join('/');

const noRestrictedPaths = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid imports across architecture layers.' },
    schema: [
      {
        type: 'object',
        properties: {
          zones: {
            type: 'array',
            items: {
              type: 'object',
              properties: { target: { type: 'string' }, from: { type: 'string' }, message: { type: 'string' } },
              required: ['target', 'from'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const file = rel(context.filename);
    const zones = (context.options[0]?.zones ?? []).map((z) => ({ target: new RegExp(z.target), from: new RegExp(z.from), message: z.message ?? '' }));
    const active = zones.filter((z) => z.target.test(file));
    if (active.length === 0) return {};
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const spec = source.value.replace(/\?.*$/, '');
      const target = rel(path.resolve(path.dirname(context.filename), spec));
      for (const z of active) {
        if (z.from.test(target)) context.report({ node, message: `Unexpected path "${source.value}" imported in restricted zone. ${z.message}` });
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source),
    };
  },
};

export default { rules: { 'no-restricted-paths': noRestrictedPaths } };
