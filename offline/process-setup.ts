/**
 * How a process of the plan sets itself up, imported first (offline/cli.ts, and every mocha process
 * through .mocharc.json `require`), before the SDKs load:
 * - V8's on-disk code cache (Node 22.1+): later runs skip compiling the SDKs and the program again
 *   (about 5% of a plan; the policy packs it starts keep one too: offline/analyzer.ts);
 * - source maps (tsx turns them on) for our own TypeScript only: mapping the SDKs' files read and parsed
 *   every one of their .js.map files at load (about 5% of a plan); stack traces in our code still map.
 */
import { enableCompileCache, getSourceMapsSupport, setSourceMapsSupport } from "node:module";

enableCompileCache?.();
if (process.sourceMapsEnabled) setSourceMapsSupport?.(true, { ...getSourceMapsSupport(), nodeModules: false });
