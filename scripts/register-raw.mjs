// `node --import ./scripts/register-raw.mjs` (or `tsx --import …`): enables `?raw` imports in Node (see raw-loader.mjs).
import { register } from 'node:module';

register('./raw-loader.mjs', import.meta.url);
