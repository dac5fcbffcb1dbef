// Lint configuration. Besides the usual TypeScript and React-hooks rules it enforces the architecture
// (docs: README "Architecture"): ui → store → train → model → kernels → gpu, with `lib` importable by all,
// `data` and `*.ref.ts` CPU references never touching the GPU, zustand only in src/store, WGSL only in src/kernels,
// and the Node-only Dawn binding only in Node entry points. A violating import fails `npm run lint` (and `npm test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (name) => `./src/${name}`;

/** `target` may not import from any of `from`. */
const zones = [
  { target: layer('lib'), from: ['gpu', 'kernels', 'model', 'data', 'train', 'store', 'ui'].map(layer), message: 'lib imports nothing from the app.' },
  { target: layer('gpu'), from: ['kernels', 'model', 'data', 'train', 'store', 'ui'].map(layer), message: 'gpu is the bottom layer.' },
  { target: layer('kernels'), from: ['model', 'data', 'train', 'store', 'ui'].map(layer), message: 'kernels import only gpu and lib.' },
  { target: layer('model'), from: ['train', 'store', 'ui'].map(layer), message: 'model imports kernels, gpu, data types and lib.' },
  { target: layer('data'), from: ['gpu', 'kernels', 'model', 'train', 'store', 'ui'].map(layer), message: 'data never touches the GPU or the app layers.' },
  { target: layer('train'), from: ['store', 'ui'].map(layer), message: 'train runs in a worker; it never imports store or ui.' },
  { target: layer('store'), from: ['ui', 'gpu', 'kernels', 'model'].map(layer), message: 'store reaches training only through src/train/client.ts and protocol.ts.' },
  { target: layer('ui'), from: ['gpu', 'kernels', 'model', 'train'].map(layer), message: 'ui talks to the store only.' },
  { target: ['lib', 'gpu', 'model', 'data', 'train', 'store', 'ui'].map(layer), from: './shaders', message: 'WGSL is imported only by src/kernels.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'runs/**'] },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
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
      'import-x/no-restricted-paths': [
        'error',
        { zones: [...zones, { target: './src/**/*.ref.ts', from: ['gpu/**', 'kernels/!(*.ref).ts', 'model/!(*.ref).ts', 'train/**', 'store/**', 'ui/**', 'data/**'].map((x) => `./src/${x}`), message: 'CPU references import only lib and other *.ref.ts files.' }] },
      ],
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
