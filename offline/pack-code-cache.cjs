// Preloaded (node --require) into the policy pack's process by offline/analyzer.ts when V8's code cache
// is on (NODE_COMPILE_CACHE): Node writes the cache at exit, which a process stopped by a signal never
// reaches, so it is written once the pack's modules have loaded (the turn of the event loop after the
// main script). Nothing else of the pack's process changes.
setImmediate(() => require("node:module").flushCompileCache?.());
