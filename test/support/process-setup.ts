/**
 * Loaded first into every mocha process (.mocharc.json `require`), as offline/cli.ts sets up its own:
 * V8's on-disk code cache (a worker compiles the SDKs and the program once per machine, not per run;
 * the policy packs the tests start use one too) and source maps for our own files only (tsx turns them
 * on for every file, and mapping the SDKs' reads and parses each of their .js.map files).
 */
import { enableCompileCache, getSourceMapsSupport, setSourceMapsSupport } from "node:module";

enableCompileCache?.();
if (process.sourceMapsEnabled) setSourceMapsSupport?.(true, { ...getSourceMapsSupport(), nodeModules: false });
