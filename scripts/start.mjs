// `npm start`: installs and builds whatever is missing or stale, then runs the backend on its embedded
// defaults (PGlite with TimescaleDB, the in-process transport, the simulator). PORT and DATA_DIR apply.
import { ensureBuilt } from './ensure-built.mjs';

ensureBuilt();
await import('../backend/dist/main.js');
