// Lint configuration. Besides the usual TypeScript and React-hooks rules it enforces the architecture
// (docs: README "Architecture"; rule in scripts/eslint-layers.mjs): ui → store → train → model → kernels → gpu, with `lib` importable by all,
// `data` and `*.ref.ts` CPU references never touching the GPU, zustand only in src/store, WGSL only in src/kernels,
// and the Node-only Dawn binding only in Node entry points. A violating import fails `npm run lint` (and `npm test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Repository-relative path pattern of a source layer. */
const layer = (...names) => `^src/(${names.join('|')})(/|$)`;

/** A file matching `target` may not import a path matching `from` (regular expressions, see scripts/eslint-layers.mjs). */
const zones = [
  { target: layer('lib'), from: layer('gpu', 'kernels', 'model', 'data', 'train', 'store', 'ui', 'export'), message: 'lib imports nothing from the app.' },
  { target: layer('gpu'), from: layer('kernels', 'model', 'data', 'train', 'store', 'ui', 'export'), message: 'gpu is the bottom layer.' },
  { target: layer('kernels'), from: layer('model', 'data', 'train', 'store', 'ui', 'export'), message: 'kernels import only gpu and lib.' },
  { target: layer('model'), from: layer('train', 'store', 'ui', 'export'), message: 'model imports kernels, gpu, data types and lib.' },
  { target: layer('data'), from: layer('gpu', 'kernels', 'model', 'train', 'store', 'ui', 'export'), message: 'data never touches the GPU or the app layers.' },
  { target: layer('train'), from: layer('store', 'ui'), message: 'train runs in a worker; it never imports store or ui.' },
  { target: layer('store'), from: layer('ui', 'gpu', 'kernels', 'model', 'export'), message: 'store reaches training only through src/train/client.ts and protocol.ts.' },
  { target: layer('ui'), from: layer('gpu', 'kernels', 'model', 'train', 'data', 'export'), message: 'ui talks to the store only.' },
  { target: '^src/export/(?!.*\\.gpu\\.test\\.ts$)', from: layer('gpu', 'kernels', 'train', 'store', 'ui'), message: 'export uses the model definition, not the GPU path.' },
  { target: layer('lib', 'gpu', 'model', 'data', 'train', 'store', 'ui', 'export'), from: '^shaders/', message: 'WGSL is imported only by src/kernels.' },
];

/** CPU references are oracles: they import only lib and other *.ref files, so they cannot share a bug with the GPU path. */
const refZone = { target: '\\.ref\\.ts$', from: '^src/(?!lib/)(?!.*\\.ref$)', message: 'CPU references import only lib and other *.ref.ts files.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'runs/**'] },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { layers, 'react-hooks': reactHooks },
    rules: {
      'layers/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'zustand', message: 'zustand is imported only in src/store.' }], patterns: [{ group: ['zustand/*'], message: 'zustand is imported only in src/store.' }] },
      ],
    },
  },
  { files: ['src/**/*.tsx', 'src/ui/**/*.ts'], rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' } },
  // zustand is allowed in the store.
  { files: ['src/store/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': 'off' } },
  // CPU references are oracles: they import only lib (and other references) so they cannot share a bug with the GPU path.
  {
    files: ['src/**/*.ref.ts'],
    rules: {
      'layers/no-restricted-paths': ['error', { zones: [...zones, refZone] }],
    },
  },
  // The Dawn binding is Node-only: only Node entry points may import it (it would break the browser bundle).
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/gpu/nodeGpu.ts', 'src/gpu/testing/setupNode.ts', 'src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'zustand', message: 'zustand is imported only in src/store.' },
            { name: 'webgpu', message: 'The Dawn binding is for Node entry points only (src/gpu/nodeGpu.ts).' },
          ],
          patterns: [{ group: ['zustand/*'], message: 'zustand is imported only in src/store.' }, { group: ['**/nodeGpu'], message: 'nodeGpu is for Node entry points (src/cli, tests setup) only.' }],
        },
      ],
    },
  },
  { files: ['src/store/**/*.{ts,tsx}'], rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'webgpu', message: 'Node only.' }] }] } },
);
