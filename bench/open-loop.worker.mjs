// Worker threads start from JavaScript: this registers tsx, then loads the TypeScript generator.
import { register } from 'tsx/esm/api';

register();
await import('./open-loop.worker.ts');
