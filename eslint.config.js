// Lint: correctness rules for TypeScript and Svelte, no import cycles, and the layering of src/:
// config <- data <- engine <- storage <- run <- worker <- state <- components. The pure layers
// (config, data, engine, storage, run) run under Node: no DOM, no worker globals.
import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const up = (...layers) => layers.flatMap((l) => [`**/${l}/**`, `../${l}`, `../../${l}`]);
const layers = {
  config: up('data', 'engine', 'storage', 'run', 'worker', 'state', 'components'),
  data: up('engine', 'storage', 'run', 'worker', 'state', 'components'),
  engine: up('storage', 'run', 'worker', 'state', 'components'),
  storage: up('run', 'worker', 'state', 'components'),
  run: up('worker', 'state', 'components'),
  worker: up('state', 'components'),
  sw: up('config', 'data', 'engine', 'storage', 'run', 'worker', 'state', 'components'), // the service worker: its own bundle
};
const PURE = ['config', 'data', 'engine', 'storage', 'run'];
const DOM = ['window', 'document', 'self', 'navigator', 'localStorage', 'location', 'postMessage'];

export default ts.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs'] } },
      'import/ignore': ['node_modules'],
      'import/extensions': ['.ts', '.js', '.mjs'],
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off', // the bench's page-side results are loosely typed on purpose
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  { files: ['**/*.svelte'], rules: { 'max-len': 'off' } }, // markup lines are Prettier's
  { files: ['**/*.svelte', '**/*.svelte.ts'], languageOptions: { parserOptions: { parser: ts.parser } } },
  ...Object.entries(layers).map(([layer, patterns]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: patterns, message: `src/${layer} must not import a layer above it.` }] },
      ],
      ...(PURE.includes(layer) ? { 'no-restricted-globals': ['error', ...DOM] } : {}),
    },
  })),
);
